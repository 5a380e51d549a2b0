package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;

import org.springframework.scheduling.TaskScheduler;

/**
 * Keeps a client trying to connect after its first connect failed, until it is connected
 * or stopped.
 * <p>
 * Paho reconnects by itself only after a connection it had is lost. After a failed first
 * connect, Spring Integration asks it to reconnect once; that attempt is silently dropped
 * when Paho still counts the failed connect as in progress, and the client then never
 * connects. This retries until one attempt takes.
 */
final class FirstConnectRetry {

	private static final Duration PERIOD = Duration.ofSeconds(2);

	private volatile ScheduledFuture<?> attempts;

	FirstConnectRetry(TaskScheduler scheduler, BooleanSupplier connected, Attempt reconnect) {
		// The first attempt runs a period from now, after this field is set, so that it
		// may cancel the attempts
		this.attempts = scheduler.scheduleWithFixedDelay(() -> {
			if (connected.getAsBoolean()) {
				this.attempts.cancel(false);
				return;
			}
			try {
				reconnect.run();
			}
			catch (Exception ex) {
				// Already connecting or connected: the next round checks again
			}
		}, Instant.now().plus(PERIOD), PERIOD);
	}

	/** Stops trying. */
	void stop() {
		this.attempts.cancel(false);
	}

	/** One reconnect attempt. */
	@FunctionalInterface
	interface Attempt {

		void run() throws Exception;

	}

}
