package io.github.mqttsession.integration;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.concurrent.locks.LockSupport;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Subscribes on (re)connect only once Paho's offline buffer is empty. While the buffer still holds messages after
 * a connect, Paho (3.1.1 and 5) routes every packet sent, a SUBSCRIBE included, into that buffer: the 3.1.1 client
 * then fails with a ClassCastException and drops the connection, over and over while the buffer drains, and the
 * 5 client stores the SUBSCRIBE as a buffered publish. Waiting on Paho's callback thread is no option either: the
 * buffer drains only as acknowledgements arrive, and that thread handles them.
 */
final class SubscribeAfterDrain {

	private static final Log logger = LogFactory.getLog(SubscribeAfterDrain.class);

	private static final long PAUSE_NANOS = 5_000_000;

	private SubscribeAfterDrain() {
	}

	/**
	 * Subscribes now when the buffer is empty, else from a thread of its own once it is; gives up when the client
	 * is no longer connected (lost, or being stopped right after it connected), since the next connect subscribes
	 * again: a SUBSCRIBE sent while it is not connected would also land in the offline buffer.
	 * @param clientId the client id, for the thread's name and the log
	 * @param bufferedMessages how many messages Paho's offline buffer holds
	 * @param connected whether the client is connected
	 * @param subscribe the subscribe
	 */
	static void run(String clientId, IntSupplier bufferedMessages, BooleanSupplier connected, Runnable subscribe) {
		if (!connected.getAsBoolean()) {
			return;
		}
		if (bufferedMessages.getAsInt() == 0) {
			subscribe.run();
			return;
		}
		Thread thread = new Thread(() -> {
			while (bufferedMessages.getAsInt() > 0) {
				if (!connected.getAsBoolean()) {
					return;
				}
				LockSupport.parkNanos(PAUSE_NANOS);
			}
			try {
				subscribe.run();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not subscribe client '" + clientId + "' after its offline buffer was sent: "
						+ ex.getMessage(), ex);
			}
		}, "mqtt-session-subscribe-" + clientId);
		thread.setDaemon(true);
		thread.start();
	}

}
