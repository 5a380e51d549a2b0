package io.github.mqttsession.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Starts one {@link EmbeddedHiveMq} broker per test JVM, listening on 127.0.0.1 for MQTT
 * 3.1, 3.1.1 and 5, and stops it when the test plan ends. What the broker's settings are,
 * and why, its class says.
 */
public class HiveMqExtension implements BeforeAllCallback {

	private static volatile @Nullable EmbeddedHiveMq broker;

	@Override
	public void beforeAll(ExtensionContext context) {
		broker = PerTestPlan.shared(context, EmbeddedHiveMq.class, () -> {
			quietLogging();
			return new EmbeddedHiveMq();
		});
	}

	/**
	 * The TCP port the shared broker listens on.
	 * @return the port
	 */
	public static int port() {
		return running().port();
	}

	/**
	 * The URL a Paho client connects to the shared broker with.
	 * @return {@code tcp://127.0.0.1:port}
	 */
	public static String url() {
		return running().url();
	}

	private static EmbeddedHiveMq running() {
		EmbeddedHiveMq current = broker;
		if (current == null) {
			throw new IllegalStateException("Register HiveMqExtension on the test class first");
		}
		return current;
	}

	private static void quietLogging() {
		// HiveMQ's jar carries a logback.xml that puts everything at INFO; its start-up
		// and shutdown chatter would bury the tests' own output. A later Logback reset (a
		// Spring context starting) undoes this.
		if (LoggerFactory.getLogger("com.hivemq") instanceof Logger logger) {
			logger.setLevel(Level.WARN);
		}
	}

}
