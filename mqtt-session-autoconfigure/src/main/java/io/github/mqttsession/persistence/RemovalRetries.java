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

	RemovalRetries(String clientId) {
		this.clientId = clientId;
	}

	boolean isEmpty() {
		return this.retries.isEmpty();
	}

	void add(PendingWrite removal) {
		this.retries.add(removal);
	}

	/**
	 * Forgets the failed removals of a key: a later write of the message settles what is
	 * stored under it.
	 * @param key the key written again
	 */
	void supersede(PendingMessage.Key key) {
		this.retries.removeIf((failed) -> List.of(failed.keys).contains(key));
	}

	/**
	 * Moves the removals to try again into a batch, oldest first.
	 * @param batch the batch
	 * @return how many were moved
	 */
	int takeInto(List<PendingWrite> batch) {
		int count = this.retries.size();
		batch.addAll(this.retries);
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
