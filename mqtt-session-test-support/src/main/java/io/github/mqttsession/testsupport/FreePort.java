package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Finds a TCP port on the loopback interface that nothing listens on, for servers that
 * cannot report the port they bound.
 */
public final class FreePort {

	private static final int START_ATTEMPTS = 3;

	private FreePort() {
	}

	/**
	 * A TCP port on 127.0.0.1 that was free a moment ago; the caller binds it soon, as
	 * another process could take it.
	 * @return the port
	 */
	public static int find() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			// Lets the caller bind the port at once even though this socket has only just
			// closed it
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free TCP port on 127.0.0.1", ex);
		}
	}

	/**
	 * Starts a server that must be given its port: on a port free a moment ago, and on
	 * another, up to three times, when the start fails, as it does when another process
	 * bound the port first (an outgoing connection's port, say).
	 * @param <T> what the start returns
	 * @param server the server's name, for the failure's message
	 * @param start starts the server on a port, and stops what it started when it fails
	 * @return what the start returned
	 * @throws IllegalStateException when every start failed
	 */
	public static <T> T start(String server, Start<T> start) {
		Exception failure = null;
		for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
			int port = find();
			try {
				return start.on(port);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while " + server + " was starting", ex);
			}
			catch (Exception ex) {
				failure = new IllegalStateException(server + " did not start on 127.0.0.1:" + port, ex);
			}
		}
		throw new IllegalStateException(server + " did not start in " + START_ATTEMPTS + " attempts", failure);
	}

	/**
	 * Starts a server on a port.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	public interface Start<T> {

		/**
		 * Starts the server on the port; stops what it started when it fails.
		 * @param port the port
		 * @return what the caller keeps of the server
		 * @throws Exception when the server did not start
		 */
		T on(int port) throws Exception;

	}

}
