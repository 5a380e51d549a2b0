package io.github.mqttsession.apps.plain;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application that relies on Boot's default entity and repository scanning. */
@SpringBootApplication
public class PlainApplication {

}
