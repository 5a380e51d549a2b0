package io.github.mqttsession.testsupport;

import java.io.IOException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.moquette.broker.Server;
import io.moquette.broker.config.FluentConfig;
import io.moquette.broker.config.IConfig;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Starts one Moquette broker (MQTT 3.1.1 only) per test JVM on 127.0.0.1, with sessions
 * and queues in memory, and stops it when the test plan ends.
 */
public class MoquetteExtension implements BeforeAllCallback {

	private static volatile Broker broker;

	@Override
	public void beforeAll(ExtensionContext context) {
		broker = PerTestPlan.shared(context, Broker.class, Broker::new);
	}

	/**
	 * The TCP port the shared broker listens on.
	 * @return the port
	 */
	public static int port() {
		return running().port;
	}

	/**
	 * The URL a Paho client connects to the shared broker with.
	 * @return {@code tcp://127.0.0.1:port}
	 */
	public static String url() {
		return "tcp://127.0.0.1:" + port();
	}

	private static Broker running() {
		Broker current = broker;
		if (current == null) {
			throw new IllegalStateException("Register MoquetteExtension on the test class first");
		}
		return current;
	}

	private static final class Broker implements AutoCloseable {

		private final Server server = new Server();

		private final int port;

		Broker() {
			quietLogging();
			this.port = FreePort.start("Moquette", (port) -> {
				// Without persistence Moquette needs neither H2 nor a data folder;
				// telemetry would try to reach the internet
				IConfig config = new FluentConfig().host("127.0.0.1")
					.port(port)
					.disablePersistence()
					.disableTelemetry()
					.allowAnonymous()
					.build();
				try {
					this.server.startServer(config);
					return port;
				}
				catch (IOException | RuntimeException ex) {
					// A taken port is a RuntimeException
					this.server.stopServer();
					throw ex;
				}
			});
		}

		private static void quietLogging() {
			// Moquette logs every MQTT packet at INFO; errors such as a connection reset
			// by the proxy still show. A later Logback reset (a Spring context starting)
			// undoes this.
			if (LoggerFactory.getLogger("io.moquette") instanceof Logger logger) {
				logger.setLevel(Level.WARN);
			}
		}

		@Override
		public void close() {
			this.server.stopServer();
		}

	}

}
