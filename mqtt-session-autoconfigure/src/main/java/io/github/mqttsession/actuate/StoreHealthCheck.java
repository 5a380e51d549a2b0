package io.github.mqttsession.actuate;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.mqttsession.store.SessionStore;
import org.jspecify.annotations.Nullable;

/**
 * Asks the session store whether it answers, on a thread of its own, and waits for the
 * answer no longer than a timeout. A store whose database is down can take as long as its
 * connection pool's timeout to fail (30 s by default), and one behind a network that
 * drops packets may not fail at all; the health check then says so within the timeout
 * instead of hanging, so that even a short outage shows.
 * <p>
 * One question is out at a time: a check that comes while the previous question still
 * waits for its answer waits for that same answer, so a hanging store holds one thread,
 * however often the health endpoint is called.
 */
final class StoreHealthCheck {

	private final SessionStore store;

	private final String probeClientId;

	private final Duration timeout;

	private final Executor executor;

	private @Nullable CompletableFuture<Void> pending;

	/**
	 * Creates a check.
	 * @param store the store
	 * @param probeClientId the client id whose session is loaded to ask the store
	 * @param timeout how long a check waits for the answer
	 * @param executor runs the question, one task per question
	 */
	StoreHealthCheck(SessionStore store, String probeClientId, Duration timeout, Executor executor) {
		this.store = store;
		this.probeClientId = probeClientId;
		this.timeout = timeout;
		this.executor = executor;
	}

	/**
	 * Asks the store, or waits for the answer to the question already out.
	 * @return what went wrong; absent when the store answered
	 */
	@Nullable String check() {
		CompletableFuture<Void> answer;
		try {
			answer = question();
		}
		catch (RejectedExecutionException ex) {
			return "The store could not be asked: " + ex.getMessage();
		}
		try {
			answer.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
			return null;
		}
		catch (TimeoutException ex) {
			return "The store did not answer within " + format(this.timeout);
		}
		catch (ExecutionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			return cause.getClass().getName() + ": " + cause.getMessage();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "Interrupted while waiting for the store to answer";
		}
	}

	private synchronized CompletableFuture<Void> question() {
		if (this.pending == null || this.pending.isDone()) {
			this.pending = CompletableFuture.runAsync(() -> this.store.load(this.probeClientId), this.executor);
		}
		return this.pending;
	}

	private static String format(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

}
