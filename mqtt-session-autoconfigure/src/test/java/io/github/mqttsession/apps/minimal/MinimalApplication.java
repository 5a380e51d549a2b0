package io.github.mqttsession.apps.minimal;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application with nothing of its own. */
@SpringBootApplication
public class MinimalApplication {

}
