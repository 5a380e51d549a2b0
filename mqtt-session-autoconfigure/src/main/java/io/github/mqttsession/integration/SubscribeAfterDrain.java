package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;

/**
 * Subscribes on (re)connect only once Paho's offline buffer is empty. While the buffer
 * still holds messages after a connect, Paho (3.1.1 and 5) routes every packet sent, a
 * SUBSCRIBE included, into that buffer: the 3.1.1 client then fails with a
 * ClassCastException and drops the connection, over and over while the buffer drains, and
 * the 5 client stores the SUBSCRIBE as a buffered publish. Waiting on Paho's callback
 * thread is no option either: the buffer drains only as acknowledgements arrive, and that
 * thread handles them.
 */
final class SubscribeAfterDrain implements Runnable {

	private static final Log logger = LogFactory.getLog(SubscribeAfterDrain.class);

	private static final Duration PAUSE = Duration.ofMillis(5);

	private final TaskScheduler scheduler;

	private final String clientId;

	private final IntSupplier bufferedMessages;

	private final BooleanSupplier connected;

	private final Runnable subscribe;

	private SubscribeAfterDrain(TaskScheduler scheduler, String clientId, IntSupplier bufferedMessages,
			BooleanSupplier connected, Runnable subscribe) {
		this.scheduler = scheduler;
		this.clientId = clientId;
		this.bufferedMessages = bufferedMessages;
		this.connected = connected;
		this.subscribe = subscribe;
	}

	/**
	 * Subscribes now when the buffer is empty, else on the scheduler once it is, looking
	 * again every few milliseconds; gives up when the client is no longer connected
	 * (lost, or being stopped right after it connected), since the next connect
	 * subscribes again: a SUBSCRIBE sent while it is not connected would also land in the
	 * offline buffer.
	 * @param scheduler the scheduler that looks at the buffer and subscribes
	 * @param clientId the client id, for the log
	 * @param bufferedMessages how many messages Paho's offline buffer holds
	 * @param connected whether the client is connected
	 * @param subscribe the subscribe
	 */
	static void run(TaskScheduler scheduler, String clientId, IntSupplier bufferedMessages, BooleanSupplier connected,
			Runnable subscribe) {
		if (!connected.getAsBoolean()) {
			return;
		}
		if (bufferedMessages.getAsInt() == 0) {
			subscribe.run();
			return;
		}
		new SubscribeAfterDrain(scheduler, clientId, bufferedMessages, connected, subscribe).lookAgainLater();
	}

	/**
	 * One look at the buffer: subscribes when it is empty, else looks again after a
	 * pause.
	 */
	@Override
	public void run() {
		if (!this.connected.getAsBoolean()) {
			return;
		}
		if (this.bufferedMessages.getAsInt() > 0) {
			lookAgainLater();
			return;
		}
		try {
			this.subscribe.run();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not subscribe client '" + this.clientId + "' after its offline buffer was sent: "
					+ ex.getMessage(), ex);
		}
	}

	private void lookAgainLater() {
		try {
			this.scheduler.schedule(this, Instant.now().plus(PAUSE));
		}
		catch (TaskRejectedException ex) {
			// The application is shutting down: the client stops too, and its next start
			// subscribes
			logger.debug("Not subscribing client '" + this.clientId + "': the scheduler is shut down");
		}
	}

}
