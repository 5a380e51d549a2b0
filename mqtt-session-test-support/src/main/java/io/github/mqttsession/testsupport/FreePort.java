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

}
