package io.github.mqttsession.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.hivemq.embedded.EmbeddedHiveMQ;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * An MQTT broker (HiveMQ Community Edition) running inside the application, for
 * development and demonstrations: it speaks MQTT 3.1, 3.1.1 and 5 on a TCP listener and,
 * when given a {@link TlsListener}, on a TLS listener too, without authentication.
 * <p>
 * Its files live in a data directory: {@code conf/config.xml}, written at every start
 * from the settings given here (with {@code conf/tls-keystore.p12} for a TLS listener,
 * under a password generated at every start), {@code data/}, where
 * {@link Persistence#FILE} keeps sessions, subscriptions and queued messages across
 * broker restarts, and {@code extensions/}, where HiveMQ extensions may be placed. Start
 * it with {@link #start()} and stop it with {@link #close()}.
 */
public final class EmbeddedMqttBroker implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(EmbeddedMqttBroker.class);

	private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

	private final String host;

	private final int port;

	private final Path dataDirectory;

	private final Persistence persistence;

	private final @Nullable TlsListener tls;

	/** The TLS listener's port, the one picked when 0 was asked for; -1 without one. */
	private final int tlsPort;

	/**
	 * The running HiveMQ, typed so that no signature of this class names a HiveMQ type:
	 * the client auto-configuration refers to this class whether or not HiveMQ is on the
	 * class path.
	 */
	private AutoCloseable hivemq;

	/**
	 * Creates a broker that is not started yet.
	 * @param host the address to listen on, such as {@code 127.0.0.1}, or {@code 0.0.0.0}
	 * for every interface
	 * @param port the TCP port to listen on, or 0 to pick a free one now (HiveMQ does not
	 * report a port it chose)
	 * @param dataDirectory the directory for the broker's configuration and data, created
	 * when missing
	 * @param persistence how the broker keeps sessions and queued messages
	 */
	public EmbeddedMqttBroker(String host, int port, Path dataDirectory, Persistence persistence) {
		this(host, port, dataDirectory, persistence, null);
	}

	/**
	 * Creates a broker that is not started yet, with a TLS listener as well.
	 * @param host the address to listen on, such as {@code 127.0.0.1}, or {@code 0.0.0.0}
	 * for every interface
	 * @param port the TCP port to listen on, or 0 to pick a free one now
	 * @param dataDirectory the directory for the broker's configuration and data, created
	 * when missing
	 * @param persistence how the broker keeps sessions and queued messages
	 * @param tls the TLS listener, on the same address, or {@code null} for none
	 */
	public EmbeddedMqttBroker(String host, int port, Path dataDirectory, Persistence persistence,
			@Nullable TlsListener tls) {
		if (host == null || host.isBlank()) {
			throw new IllegalArgumentException("The host must not be empty");
		}
		if (port < 0 || port > 65_535) {
			throw new IllegalArgumentException("The port must be 0..65535, not " + port);
		}
		// An IPv6 address may come in URL brackets; HiveMQ and InetAddress want it bare
		this.host = host.trim().replaceAll("^\\[(.*)\\]$", "$1");
		this.port = (port != 0) ? port : freePort(this.host);
		this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
		this.persistence = persistence;
		this.tls = tls;
		this.tlsPort = (tls == null) ? -1 : (tls.getPort() != 0) ? tls.getPort() : freePortOtherThan(this.port);
		if (this.tlsPort == this.port) {
			throw new IllegalArgumentException("The TLS listener needs a port of its own, not " + this.port);
		}
	}

	/**
	 * Starts the broker and waits until it accepts connections.
	 * @throws IllegalStateException when it does not start, such as when its port is in
	 * use
	 */
	public synchronized void start() {
		if (this.hivemq != null) {
			return;
		}
		long started = System.nanoTime();
		Path configuration = prepareDirectory("conf");
		Path data = prepareDirectory("data");
		Path extensions = prepareDirectory("extensions");
		HiveMqConfiguration.write(configuration, this.host, this.port, this.persistence, this.tls, this.tlsPort);
		EmbeddedHiveMQ broker = EmbeddedHiveMQ.builder()
			.withConfigurationFolder(configuration)
			.withDataFolder(data)
			.withExtensionsFolder(extensions)
			// Without it HiveMQ replaces the application's Logback configuration with its
			// own
			.withoutLoggingBootstrap()
			.build();
		try {
			broker.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			closeQuietly(broker);
			throw new IllegalStateException("Interrupted while the embedded MQTT broker was starting", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			closeQuietly(broker);
			Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
			throw new IllegalStateException("The embedded MQTT broker did not start on " + this.host + ":" + this.port
					+ " (" + cause + "); HiveMQ's log above says why, such as the port being in use", cause);
		}
		this.hivemq = broker;
		if (logger.isInfoEnabled()) {
			logger.info("Embedded MQTT broker (HiveMQ CE) started in "
					+ Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms: " + url()
					+ ((this.tls != null) ? " and " + sslUrl() : "") + ", "
					+ this.persistence.name().toLowerCase(Locale.ROOT).replace('_', '-') + " persistence in "
					+ this.dataDirectory);
		}
	}

	private Path prepareDirectory(String name) {
		try {
			return Files.createDirectories(this.dataDirectory.resolve(name));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(
					"Could not create the embedded MQTT broker's directory " + this.dataDirectory.resolve(name), ex);
		}
	}

	/**
	 * The URL MQTT clients of this application connect to the broker with.
	 * @return {@code tcp://host:port}, with the loopback address when the broker listens
	 * on every interface
	 */
	public String url() {
		return "tcp://" + clientAddress() + ":" + this.port;
	}

	/**
	 * The URL MQTT clients of this application connect to the broker's TLS listener with.
	 * @return {@code ssl://host:port}, with the loopback address when the broker listens
	 * on every interface, or {@code null} without a TLS listener
	 */
	public @Nullable String sslUrl() {
		return (this.tls != null) ? "ssl://" + clientAddress() + ":" + this.tlsPort : null;
	}

	private String clientAddress() {
		String address = this.host;
		if (address.equals("0.0.0.0") || address.equals("::")) {
			return "127.0.0.1";
		}
		return address.contains(":") ? "[" + address + "]" : address;
	}

	/**
	 * The TCP port the broker listens on, the one picked when 0 was given.
	 * @return the port
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * The TCP port of the broker's TLS listener, the one picked when 0 was given.
	 * @return the port, or -1 without a TLS listener
	 */
	public int getSslPort() {
		return this.tlsPort;
	}

	/**
	 * The directory of the broker's configuration and data.
	 * @return the absolute path
	 */
	public Path getDataDirectory() {
		return this.dataDirectory;
	}

	/**
	 * Whether the broker has been started and not stopped since.
	 * @return {@code true} while it runs
	 */
	public synchronized boolean isRunning() {
		return this.hivemq != null;
	}

	/**
	 * Stops the broker, disconnecting its clients; with file persistence their sessions
	 * are kept for the next start. Does nothing when it is not running.
	 */
	@Override
	public synchronized void close() {
		AutoCloseable broker = this.hivemq;
		if (broker == null) {
			return;
		}
		this.hivemq = null;
		long started = System.nanoTime();
		try {
			broker.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			logger.warn("Interrupted while the embedded MQTT broker was stopping");
			return;
		}
		catch (Exception ex) {
			Throwable cause = (ex instanceof ExecutionException) ? ex.getCause() : ex;
			logger.warn("The embedded MQTT broker did not stop cleanly", cause);
			return;
		}
		if (logger.isInfoEnabled()) {
			logger.info("Embedded MQTT broker stopped in " + Duration.ofNanos(System.nanoTime() - started).toMillis()
					+ " ms");
		}
	}

	private static void closeQuietly(AutoCloseable broker) {
		try {
			broker.close();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (Exception ex) {
			logger.debug("Could not close the embedded MQTT broker after it failed to start", ex);
		}
	}

	/**
	 * A free port for the TLS listener: the TCP listener's port, free again until HiveMQ
	 * binds it, may come back.
	 */
	private int freePortOtherThan(int taken) {
		int port = freePort(this.host);
		for (int attempt = 0; port == taken && attempt < 10; attempt++) {
			port = freePort(this.host);
		}
		return port;
	}

	private static int freePort(String host) {
		try (ServerSocket socket = new ServerSocket()) {
			// Lets HiveMQ bind the port at once, although this socket has only just
			// released it
			socket.setReuseAddress(true);
			socket.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free TCP port on " + host + " for the embedded MQTT broker", ex);
		}
	}

	/**
	 * How the broker keeps client sessions, subscriptions and the messages it queues for
	 * disconnected clients.
	 */
	public enum Persistence {

		/**
		 * In files under the data directory, so that they survive a restart of the
		 * broker.
		 */
		FILE("file"),

		/**
		 * In memory only: a restart of the broker loses them; starts faster and writes
		 * nothing.
		 */
		IN_MEMORY("in-memory");

		private final String mode;

		Persistence(String mode) {
			this.mode = mode;
		}

		String mode() {
			return this.mode;
		}

	}

}
