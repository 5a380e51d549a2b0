package io.github.mqttsession.integration;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Keeps a client trying to connect after its first connect failed, until it is connected or stopped.
 * <p>
 * Paho reconnects by itself only after a connection it had is lost. After a failed first connect, Spring
 * Integration asks it to reconnect once; that attempt is silently dropped when Paho still counts the failed connect
 * as in progress, and the client then never connects. This retries until one attempt takes.
 */
final class FirstConnectRetry {

	private static final long PERIOD_MILLIS = 2000;

	private final ScheduledExecutorService executor;

	FirstConnectRetry(String clientId, BooleanSupplier connected, Attempt reconnect) {
		this.executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "mqtt-first-connect-" + clientId);
			thread.setDaemon(true);
			return thread;
		});
		this.executor.scheduleWithFixedDelay(() -> {
			if (connected.getAsBoolean()) {
				this.executor.shutdown();
				return;
			}
			try {
				reconnect.run();
			}
			catch (Exception ex) {
				// Already connecting or connected: the next round checks again
			}
		}, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
	}

	/** Stops trying. */
	void stop() {
		this.executor.shutdownNow();
	}

	/** One reconnect attempt. */
	@FunctionalInterface
	interface Attempt {

		void run() throws Exception;

	}

}
