package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One write of one or two changes to a session's pending messages, which callers may wait
 * for. Internal: public only so that the Paho persistences can wait for their writes.
 */
public final class PendingWrite {

	private static final Log logger = LogFactory.getLog(PendingWrite.class);

	private static final PendingMessage.Key[] NO_KEYS = {};

	final List<PendingMessageChange> changes;

	/**
	 * Whether the key holds nothing in the store nor in the queue, so that a removal
	 * before the write drops both; cleared, under the writer's lock, when a failed
	 * removal shows that the store still holds a message under the key.
	 */
	boolean fresh;

	private final @Nullable Runnable written;

	private final CompletableFuture<Void> done = new CompletableFuture<>();

	private volatile boolean awaited;

	/**
	 * Whether the waiter was let go before the write, because the broker acknowledged the
	 * message.
	 */
	private volatile boolean released;

	private volatile @Nullable RuntimeException failure;

	/**
	 * The keys the write touches; set when it is queued, read and written under the
	 * writer's lock.
	 */
	PendingMessage.Key[] keys = NO_KEYS;

	/**
	 * When the write was queued, by {@link System#nanoTime()}; under the writer's lock.
	 */
	long queuedAt;

	/**
	 * Whether the client sends the message while the write is queued, so that the write
	 * may wait for its acknowledgement; set before the write is queued.
	 */
	boolean acknowledgeable;

	/**
	 * Whether the write could wait the write delay when it was queued; under the writer's
	 * lock.
	 */
	boolean held;

	/** Whether a removal made the write needless before it was taken from the queue. */
	boolean cancelled;

	PendingWrite(List<PendingMessageChange> changes, boolean fresh, @Nullable Runnable written) {
		this.changes = changes;
		this.fresh = fresh;
		this.written = written;
	}

	/**
	 * Waits until the write is applied (or made needless by a later removal).
	 * @throws RuntimeException the store's failure, when the write failed
	 */
	public void await() {
		this.awaited = true;
		try {
			this.done.join();
		}
		catch (CompletionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime : ex;
		}
	}

	/**
	 * Waits until the write is applied (or made needless by a later removal), until a
	 * deadline at most. A write that is not applied by then stays queued and may still be
	 * applied later.
	 * @param deadline the {@link System#nanoTime()} to wait until
	 * @param clientId the client id, for the error message
	 * @param timeout the time limit the deadline comes from, for the error message; asked
	 * only when the deadline passed
	 * @throws RuntimeException the store's failure, when the write failed
	 * @throws SessionStoreException when the store did not answer by the deadline
	 */
	void await(long deadline, String clientId, Supplier<String> timeout) {
		this.awaited = true;
		try {
			this.done.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
					: new CompletionException(ex.getCause());
		}
		catch (TimeoutException ex) {
			throw new SessionStoreException("Client '" + clientId + "': the session store did not write the message"
					+ " within " + timeout.get() + "; it may still be written and sent", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new SessionStoreException("Client '" + clientId
					+ "' was interrupted while it waited for the session store to write the message", ex);
		}
	}

	/**
	 * Applies writes in one store call, or one by one when that fails, so that only the
	 * writes that fail are reported as failed; a failure nobody waits for is logged.
	 */
	static void applyAll(List<PendingWrite> batch, SessionStore store, String clientId, StoreWriteStatus status) {
		if (batch.size() > 1) {
			List<PendingMessageChange> changes = new ArrayList<>(batch.size());
			batch.forEach((write) -> changes.addAll(write.changes));
			try {
				store.applyPendingMessageChanges(clientId, changes);
				status.succeeded();
				batch.forEach(PendingWrite::complete);
				return;
			}
			catch (RuntimeException ex) {
				// Written one by one below
			}
		}
		for (PendingWrite write : batch) {
			write.applyTo(store, clientId, status);
			RuntimeException failure = write.failure;
			if (failure != null && !write.isRemoval() && (!write.awaited || write.released)) {
				logger.warn("Could not write a change to the session of client '" + clientId + "' (" + write.changes
						+ "): " + failure.getMessage());
			}
		}
	}

	void applyTo(SessionStore store, String clientId, StoreWriteStatus status) {
		try {
			store.applyPendingMessageChanges(clientId, this.changes);
			this.failure = null;
			status.succeeded();
			complete();
		}
		catch (RuntimeException ex) {
			this.failure = ex;
			status.failed(ex);
			this.done.completeExceptionally(ex);
		}
	}

	/**
	 * The store's failure, when the latest attempt at this write failed.
	 * @return the failure; absent when the write was applied or not tried yet
	 */
	@Nullable RuntimeException failure() {
		return this.failure;
	}

	/**
	 * Whether the write only removes messages: such a write may be tried again at any
	 * time until it lands.
	 */
	boolean isRemoval() {
		return this.changes.stream().allMatch(PendingMessageChange.Removed.class::isInstance);
	}

	boolean isAddition() {
		return this.changes.size() == 1 && this.changes.get(0) instanceof PendingMessageChange.Added;
	}

	/**
	 * Lets the waiter go before the write: the broker acknowledged the message, so it
	 * need not be durable.
	 */
	void release() {
		this.released = true;
		this.done.complete(null);
	}

	/**
	 * Lets the waiter go without the write: a removal made it needless before it was
	 * applied. Nothing was stored, so whoever hears of stored messages hears nothing.
	 */
	void drop() {
		this.done.complete(null);
	}

	void complete() {
		if (this.written != null) {
			try {
				this.written.run();
			}
			catch (RuntimeException ex) {
				logger.warn("A listener of the session failed: " + ex.getMessage(), ex);
			}
		}
		this.done.complete(null);
	}

}
