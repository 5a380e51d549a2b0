package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Finds a free TCP port on the loopback interface, for servers that cannot report the port they bound. */
public final class FreePort {

	private FreePort() {
	}

	/**
	 * A port on 127.0.0.1 that was free a moment ago.
	 * @return the port
	 */
	public static int find() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free TCP port on 127.0.0.1", ex);
		}
	}

}
