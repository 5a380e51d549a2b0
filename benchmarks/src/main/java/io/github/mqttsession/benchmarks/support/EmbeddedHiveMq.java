package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * HiveMQ CE, embedded in this JVM and listening on 127.0.0.1, started as the test suite's {@code HiveMqExtension}
 * starts it: in-memory persistence, no usage statistics, the logging set-up left alone. Its queue per client is
 * raised to 100,000 messages so that the restart benchmark's subscriber never has messages discarded.
 */
public final class EmbeddedHiveMq implements Broker {

	private final Path home;

	private final int port;

	private final EmbeddedHiveMQ hivemq;

	/**
	 * Starts a broker in a new folder under a parent.
	 * @param parent where the broker's configuration and data folders go
	 */
	public EmbeddedHiveMq(Path parent) {
		try {
			Files.createDirectories(parent);
			this.home = Files.createTempDirectory(parent, "hivemq-");
			Path configuration = Files.createDirectories(this.home.resolve("conf"));
			Path data = Files.createDirectories(this.home.resolve("data"));
			Path extensions = Files.createDirectories(this.home.resolve("extensions"));
			// The embedded broker does not report the port it bound, so pick it here
			this.port = FreePort.find();
			Files.writeString(configuration.resolve("config.xml"), configXml(this.port));
			this.hivemq = EmbeddedHiveMQ.builder()
				.withConfigurationFolder(configuration)
				.withDataFolder(data)
				.withExtensionsFolder(extensions)
				.withoutLoggingBootstrap()
				.build();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			this.hivemq.start().get(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while HiveMQ was starting", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("HiveMQ did not start on 127.0.0.1:" + this.port, ex);
		}
	}

	private static String configXml(int port) {
		return """
				<?xml version="1.0"?>
				<hivemq>
					<listeners>
						<tcp-listener>
							<port>%d</port>
							<bind-address>127.0.0.1</bind-address>
						</tcp-listener>
					</listeners>
					<mqtt>
						<queued-messages>
							<max-queue-size>100000</max-queue-size>
							<strategy>discard</strategy>
						</queued-messages>
					</mqtt>
					<persistence>
						<mode>in-memory</mode>
					</persistence>
					<anonymous-usage-statistics>
						<enabled>false</enabled>
					</anonymous-usage-statistics>
				</hivemq>
				""".formatted(port);
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
		try {
			this.hivemq.close();
		}
		catch (Exception ex) {
			// Stopping is best effort at the end of a run
		}
		Files2.deleteRecursively(this.home);
	}

}
