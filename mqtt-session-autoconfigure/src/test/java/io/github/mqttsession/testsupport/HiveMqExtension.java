package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.hivemq.embedded.EmbeddedHiveMQ;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Starts one embedded HiveMQ CE broker per test JVM, listening on 127.0.0.1 for MQTT 3.1, 3.1.1 and 5 (HiveMQ CE
 * always speaks all of them on a TCP listener), and stops it when the test plan ends.
 * <p>
 * The broker keeps its defaults where tests may depend on them, but one: it queues up to 1,000,000 messages per
 * client ({@code mqtt/queued-messages/max-queue-size}, 1000 by default, strategy {@code discard}), since a test's
 * subscriber that shares two cores with 8 publishing threads and the broker falls more than 1000 messages behind,
 * and the broker would then drop newer messages, which hides what those tests count. No limit on
 * session expiry ({@code mqtt/session-expiry/max-interval}, documented as 4294967296 s, so an MQTT 3.1.1 session
 * without clean session never expires), a server receive maximum of 10 and QoS up to 2. Persistence is in memory
 * only, so a broker restart loses every session, and its inbound QoS 2 state is held in memory in any mode.
 */
public class HiveMqExtension implements BeforeAllCallback {

	private static final int START_TIMEOUT_SECONDS = 60;

	private static volatile Broker broker;

	@Override
	public void beforeAll(ExtensionContext context) {
		// The root store closes AutoCloseable values when the whole test plan ends, so all classes share one broker
		context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).computeIfAbsent(Broker.class, (key) -> {
			Broker started = new Broker();
			broker = started;
			return started;
		}, Broker.class);
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
			throw new IllegalStateException("Register HiveMqExtension on the test class first");
		}
		return current;
	}

	private static final class Broker implements AutoCloseable {

		private final Path home;

		private final int port;

		private final EmbeddedHiveMQ hivemq;

		Broker() {
			quietLogging();
			try {
				this.home = Files.createTempDirectory("hivemq-");
				Path configuration = Files.createDirectories(this.home.resolve("conf"));
				Path data = Files.createDirectories(this.home.resolve("data"));
				Path extensions = Files.createDirectories(this.home.resolve("extensions"));
				// The embedded broker does not report the port it bound, so the test picks it
				this.port = FreePort.find();
				Files.writeString(configuration.resolve("config.xml"), configXml(this.port));
				this.hivemq = EmbeddedHiveMQ.builder()
					.withConfigurationFolder(configuration)
					.withDataFolder(data)
					.withExtensionsFolder(extensions)
					// Without it HiveMQ reconfigures Logback for the whole JVM
					.withoutLoggingBootstrap()
					.build();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			try {
				this.hivemq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while HiveMQ was starting", ex);
			}
			catch (ExecutionException | TimeoutException ex) {
				throw new IllegalStateException("HiveMQ did not start on 127.0.0.1:" + this.port, ex);
			}
		}

		private static void quietLogging() {
			// HiveMQ's jar carries a logback.xml that puts everything at INFO; its start-up and shutdown chatter
			// would bury the tests' own output. A later Logback reset (a Spring context starting) undoes this.
			if (LoggerFactory.getLogger("com.hivemq") instanceof Logger logger) {
				logger.setLevel(Level.WARN);
			}
		}

		private static String configXml(int port) {
			// In-memory persistence starts faster than RocksDB/Xodus and leaves nothing behind;
			// usage statistics would try to reach the internet
			return """
					<?xml version="1.0"?>
					<hivemq>
						<listeners>
							<tcp-listener>
								<port>%d</port>
								<bind-address>127.0.0.1</bind-address>
							</tcp-listener>
						</listeners>
						<persistence>
							<mode>in-memory</mode>
						</persistence>
						<mqtt>
							<queued-messages>
								<max-queue-size>1000000</max-queue-size>
							</queued-messages>
						</mqtt>
						<anonymous-usage-statistics>
							<enabled>false</enabled>
						</anonymous-usage-statistics>
					</hivemq>
					""".formatted(port);
		}

		@Override
		public void close() throws Exception {
			try {
				this.hivemq.close();
			}
			finally {
				deleteRecursively(this.home);
			}
		}

		private static void deleteRecursively(Path root) throws IOException {
			try (Stream<Path> paths = Files.walk(root)) {
				for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(path);
				}
			}
		}

	}

}
