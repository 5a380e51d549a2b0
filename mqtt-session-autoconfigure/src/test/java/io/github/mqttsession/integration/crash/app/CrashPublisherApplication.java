package io.github.mqttsession.integration.crash.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application the crash tests kill: nothing of its own, only the starter configured by properties. It lives in
 * a package of its own so that its component scan picks up nothing else from the tests.
 */
@SpringBootApplication
public class CrashPublisherApplication {

}
