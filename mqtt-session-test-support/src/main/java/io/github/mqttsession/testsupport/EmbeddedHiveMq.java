package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * HiveMQ CE, embedded in this JVM and listening on 127.0.0.1 for MQTT 3.1, 3.1.1 and 5
 * (HiveMQ CE always speaks all of them on a TCP listener).
 * <p>
 * The broker keeps its defaults where tests may depend on them, but one: it queues up to
 * 1,000,000 messages per client ({@code mqtt/queued-messages/max-queue-size}, 1000 by
 * default, strategy {@code discard}), since a subscriber that shares two cores with many
 * publishing threads and the broker falls more than 1000 messages behind, and the broker
 * would then drop newer messages, which hides what tests and benchmarks count. No limit
 * on session expiry ({@code mqtt/session-expiry/max-interval}, documented as 4294967296
 * s, so an MQTT 3.1.1 session without clean session never expires), a server receive
 * maximum of 10 and QoS up to 2. Persistence is in memory only, so a broker restart loses
 * every session, and its inbound QoS 2 state is held in memory in any mode.
 */
public final class EmbeddedHiveMq implements Broker {

	private static final int START_TIMEOUT_SECONDS = 60;

	private final Path home;

	private final int port;

	private final EmbeddedHiveMQ hivemq;

	/** Starts a broker with its configuration and data in a new temporary folder. */
	public EmbeddedHiveMq() {
		this(Path.of(System.getProperty("java.io.tmpdir")));
	}

	/**
	 * Starts a broker in a new folder under a parent.
	 * @param parent where the broker's configuration and data folders go
	 */
	public EmbeddedHiveMq(Path parent) {
		try {
			Files.createDirectories(parent);
			this.home = Files.createTempDirectory(parent, "hivemq-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		// The embedded broker does not report the port it bound, so it is picked here;
		// on a port another process took first, the broker stops at once
		Started started;
		try {
			started = FreePort.start("HiveMQ", (port) -> {
				EmbeddedHiveMQ broker = build(this.home, port);
				try {
					broker.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
					return new Started(port, broker);
				}
				catch (Exception ex) {
					closeQuietly(broker);
					throw ex;
				}
			});
		}
		catch (IllegalStateException ex) {
			Folders.deleteRecursively(this.home);
			throw ex;
		}
		this.port = started.port();
		this.hivemq = started.broker();
	}

	private static EmbeddedHiveMQ build(Path home, int port) {
		try {
			Path configuration = Files.createDirectories(home.resolve("conf"));
			Path data = Files.createDirectories(home.resolve("data"));
			Path extensions = Files.createDirectories(home.resolve("extensions"));
			Files.writeString(configuration.resolve("config.xml"), configXml(port));
			return EmbeddedHiveMQ.builder()
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
	}

	private static void closeQuietly(EmbeddedHiveMQ broker) {
		try {
			broker.close();
		}
		catch (Exception ex) {
			// Stopping is best effort: after a failed start or at the end of a run
		}
	}

	private record Started(int port, EmbeddedHiveMQ broker) {
	}

	private static String configXml(int port) {
		// In-memory persistence starts faster than RocksDB/Xodus and leaves nothing
		// behind;
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
							<strategy>discard</strategy>
						</queued-messages>
					</mqtt>
					<anonymous-usage-statistics>
						<enabled>false</enabled>
					</anonymous-usage-statistics>
				</hivemq>
				""".formatted(port);
	}

	/**
	 * The TCP port the broker listens on, on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	@Override
	public String name() {
		return "HiveMQ CE " + Versions.of(EmbeddedHiveMQ.class, "com.hivemq", "hivemq-community-edition-embedded")
				+ " (embedded, in this JVM)";
	}

	@Override
	public String url() {
		return "tcp://127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		closeQuietly(this.hivemq);
		Folders.deleteRecursively(this.home);
	}

}
