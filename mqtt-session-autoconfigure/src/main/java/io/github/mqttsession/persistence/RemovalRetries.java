package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The removals of a session's writer that failed (the store was unreachable, say), tried
 * again with the next batch, or after a second when nothing else is queued, until they
 * land or a later write of the same key replaces them. A removal given up when the writer
 * stops leaves a completed message stored: after a restart it is sent once more. Used
 * under the writer's lock only.
 */
final class RemovalRetries {

	/**
	 * How long a failed removal waits before it is tried again, when nothing else is
	 * queued.
	 */
	private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final Log logger = LogFactory.getLog(RemovalRetries.class);

	private final String clientId;

	private final List<PendingWrite> retries = new ArrayList<>();

	/** When a removal last failed, by {@link System#nanoTime()}. */
	private long failedAt;

	RemovalRetries(String clientId) {
		this.clientId = clientId;
	}

	boolean isEmpty() {
		return this.retries.isEmpty();
	}

	void add(PendingWrite removal) {
		this.retries.add(removal);
		this.failedAt = System.nanoTime();
	}

	/**
	 * Whether the removals are due to be tried again on their own, a second after the
	 * last failed: they are also tried with every batch of other writes.
	 * @return {@code true} when some are due
	 */
	boolean isDue() {
		return !this.retries.isEmpty() && System.nanoTime() - this.failedAt >= RETRY_NANOS;
	}

	/**
	 * How long a writer that has nothing else to do may wait, at most, before the
	 * removals are due.
	 * @param wait how long it would wait otherwise, in nanoseconds
	 * @return the shorter of the two, in nanoseconds
	 */
	long capWait(long wait) {
		return this.retries.isEmpty() ? wait
				: Math.max(0, Math.min(wait, this.failedAt + RETRY_NANOS - System.nanoTime()));
	}

	/**
	 * Forgets the failed removals of a key: a later write of the message settles what is
	 * stored under it.
	 * @param key the key written again
	 * @return whether a removal of the key was waiting to be tried again: the store still
	 * holds a message under it
	 */
	boolean supersede(PendingMessage.Key key) {
		return this.retries.removeIf((failed) -> List.of(failed.keys).contains(key));
	}

	/**
	 * Moves the removals to try again to the front of a batch, oldest first.
	 * @param batch the batch
	 * @return how many were moved
	 */
	int takeInto(List<PendingWrite> batch) {
		int count = this.retries.size();
		batch.addAll(0, this.retries);
		this.retries.clear();
		return count;
	}

	/**
	 * Waits on the writer's condition, holding its lock, while the writer is idle, until
	 * a removal is due again.
	 * @param queued the condition signalled when a write is queued or the writer stops
	 * @param idle whether nothing is queued and the writer is not stopping
	 */
	void awaitDue(Condition queued, BooleanSupplier idle) {
		long retryAt = System.nanoTime() + RETRY_NANOS;
		while (idle.getAsBoolean()) {
			if (this.retries.isEmpty()) {
				queued.awaitUninterruptibly();
				retryAt = System.nanoTime() + RETRY_NANOS;
				continue;
			}
			long left = retryAt - System.nanoTime();
			if (left <= 0) {
				return;
			}
			try {
				queued.awaitNanos(left);
			}
			catch (InterruptedException ex) {
				// Only the writer's stop ends the wait
			}
		}
	}

	/**
	 * Gives the removals up, with a warning: the writer stops before the store took them.
	 */
	void giveUp() {
		if (!this.retries.isEmpty()) {
			logger.warn("Could not remove " + this.retries.size() + " completed messages from the session of client '"
					+ this.clientId + "' before it was released; after a restart they are sent again: "
					+ this.retries.get(0).failure());
			this.retries.clear();
		}
	}

}
