package io.github.mqttsession.persistence;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStore;
import org.jspecify.annotations.Nullable;

/**
 * Writes one client's changes to its pending messages to the store, in the order they
 * were made.
 * <p>
 * For a store that {@linkplain SessionStore#gathersWrites() gathers writes}, changes
 * queue up and one background thread applies everything queued in one
 * {@link SessionStore#applyPendingMessageChanges} call: one transaction and one durable
 * commit shared by every publisher waiting at that moment, each of which waits for its
 * own write only. A removal does not wait at all. When a message is removed
 * (acknowledged) before its addition was taken from the queue, both are dropped: the
 * message never needs to be written. For other stores each change is applied on the
 * caller's thread.
 * <p>
 * The writer does not start a commit for writes that may still wait: a QoS 1 publish the
 * client sends meanwhile, and the removal an acknowledgement queues. It starts one once a
 * queued write may not wait, or one has waited the {@linkplain #setWriteDelay write
 * delay}, and then takes everything queued, in order, but the publishes still within
 * their delay: each of those stays until its acknowledgement drops it or its own delay
 * passes, since the broker is expected to acknowledge it sooner than a commit would let
 * its publisher go. A broker that answers promptly acknowledges nearly every message
 * before its write is due, however many publishers wait, so they are never written and
 * the store's database does next to no work. Writes wait only while acknowledgements have
 * been coming sooner than commits, as publishers see both: from when the write was
 * queued, a commit counting the wait for the one under way.
 * <p>
 * The writer runs its own thread rather than a task on a shared scheduler: Paho stores a
 * packet while it holds its client's lock, and publishers wait for their writes, so a
 * write that waited behind another task on a pool that a blocked task (one waiting for
 * this very write, say) had used up would stall the client. The thread lives from the
 * session's open to its release and stops once everything queued is written.
 * <p>
 * A removal that fails (the database is down, say) is tried again every second, and
 * before every later batch, until it lands or a later write of the same message takes its
 * place; until then, a restart would find the message still stored and send it once more.
 * Every write reports to a {@link StoreWriteStatus} whether it landed, which the health
 * check reads.
 * <p>
 * Internal: public only so that the Paho persistences can use it.
 */
public final class PendingMessageWriter {

	/**
	 * The most writes applied in one store call, which bounds the size of a transaction.
	 */
	private static final int MAX_BATCH = 1_000;

	/**
	 * How long a new outbound publish waits for its acknowledgement, by default: longer
	 * than nearly every acknowledgement of a broker nearby takes, even under load, and
	 * short beside a send's timeout.
	 */
	public static final Duration DEFAULT_WRITE_DELAY = Duration.ofMillis(10);

	/**
	 * Stands for a key touched by more than one queued write: such a key's addition is
	 * never dropped.
	 */
	private static final PendingWrite SEVERAL = new PendingWrite(List.of(), false, null);

	private final SessionStore store;

	private final String clientId;

	private final boolean gathers;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition queued = this.lock.newCondition();

	private final Condition progressed = this.lock.newCondition();

	private final ArrayDeque<PendingWrite> queue = new ArrayDeque<>();

	/**
	 * How long a new outbound publish may stay queued, in nanoseconds: its
	 * acknowledgement, should it come meanwhile, makes the write needless.
	 */
	private volatile long writeDelayNanos = DEFAULT_WRITE_DELAY.toNanos();

	/** Whether the writer waits only for held publishes to come due; under the lock. */
	private boolean holding;

	/**
	 * How long the broker takes to acknowledge a publish, and how long a publish waits
	 * for its commit, both from when its write was queued, in nanoseconds: moving
	 * averages, 0 until measured; under the lock. Writes wait only while acknowledgements
	 * come sooner than commits (or no commit was measured yet): where commits are the
	 * quicker, a store such as H2 against a broker slow to acknowledge, a commit lets a
	 * publisher go first and waiting would only delay it.
	 */
	private long acknowledgementNanos;

	private long commitNanos;

	/** How many callers wait in {@link #flush}; under the lock. */
	private int flushes;

	/**
	 * Per key, the one queued write that touches it, or {@link #SEVERAL}; worked out anew
	 * from what stays queued whenever the writer takes a batch.
	 */
	private final Map<PendingMessage.Key, PendingWrite> queuedByKey = new HashMap<>();

	/**
	 * Per key, the addition queued or being written, whose publisher an acknowledgement
	 * releases; a publish the client sends meanwhile stays until its acknowledgement,
	 * which tells how long the broker took (at most one per key).
	 */
	private final Map<PendingMessage.Key, PendingWrite> unfinishedAdditions = new HashMap<>();

	/** Removals that failed, to be tried again; guarded by the lock. */
	private final RemovalRetries retries;

	private final StoreWriteStatus status = new StoreWriteStatus(Clock.systemUTC());

	private long submitted;

	private long finished;

	private @Nullable Thread thread;

	private boolean stopping;

	/**
	 * Creates a writer for one client's session.
	 * @param store the store
	 * @param clientId the client id
	 */
	public PendingMessageWriter(SessionStore store, String clientId) {
		this.store = store;
		this.clientId = clientId;
		this.gathers = store.gathersWrites();
		this.retries = new RemovalRetries(clientId);
	}

	/**
	 * Whether writes are queued for the background thread; otherwise each is applied when
	 * it is made.
	 * @return {@code true} when writes are gathered
	 */
	public boolean gathers() {
		return this.gathers;
	}

	/**
	 * Sets who hears of a write that failed because another instance took the session's
	 * lease over.
	 * @param listener the listener, told on the thread that applied the write
	 */
	void onLeaseLost(Consumer<SessionLeaseLostException> listener) {
		this.status.onLeaseLost(listener);
	}

	/**
	 * Sets how long a QoS 1 publish (and the removal an acknowledgement queues) may wait
	 * in the queue before the writer starts a commit for it: one acknowledged meanwhile
	 * is never written, and its publisher is let go by the acknowledgement as before. A
	 * publish not acknowledged is committed once the delay passed; a removal goes with
	 * the first commit after it was queued, or once the delay passed. 0 starts a commit
	 * for every write as soon as the writer is free.
	 * @param writeDelay the delay, not negative
	 */
	public void setWriteDelay(Duration writeDelay) {
		if (writeDelay.isNegative()) {
			throw new IllegalArgumentException("The write delay must not be negative, but is " + writeDelay);
		}
		this.writeDelayNanos = writeDelay.toNanos();
	}

	/** Starts the background thread when writes are gathered and it is not running. */
	public void start() {
		if (!this.gathers) {
			return;
		}
		this.lock.lock();
		try {
			if (this.thread == null) {
				this.stopping = false;
				this.thread = new Thread(this::run, "mqtt-session-writer-" + this.clientId);
				this.thread.setDaemon(true);
				this.thread.start();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Writes everything queued, then stops the background thread. */
	public void stop() {
		Thread running;
		this.lock.lock();
		try {
			running = this.thread;
			this.stopping = true;
			this.queued.signal();
		}
		finally {
			this.lock.unlock();
		}
		if (running != null && running != Thread.currentThread()) {
			try {
				running.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * Adds a message, or replaces the one stored under the same key.
	 * @param message the message
	 * @param fresh whether the key holds no message in the store, nor one queued, so that
	 * a removal before the write may drop both
	 * @param acknowledgeable whether the client sends the message while the write is
	 * queued, so that the write may wait the {@linkplain #setWriteDelay write delay} for
	 * the acknowledgement that makes it needless
	 * @param written run once the message is written
	 * @return the write, to wait for
	 */
	public PendingWrite add(PendingMessage message, boolean fresh, boolean acknowledgeable,
			@Nullable Runnable written) {
		PendingWrite write = new PendingWrite(List.of(new PendingMessageChange.Added(message)), fresh, written);
		write.acknowledgeable = acknowledgeable;
		submit(write, message.key());
		return write;
	}

	/**
	 * Removes one message and adds another in one write.
	 * @param removedKey the key of the message removed
	 * @param message the message added
	 * @param written run once both are written
	 * @return the write, to wait for
	 */
	public PendingWrite replace(PendingMessage.Key removedKey, PendingMessage message, @Nullable Runnable written) {
		PendingWrite write = new PendingWrite(
				List.of(new PendingMessageChange.Removed(removedKey), new PendingMessageChange.Added(message)), false,
				written);
		submit(write, removedKey, message.key());
		return write;
	}

	/**
	 * Removes a message; when its addition is still queued, drops both instead.
	 * @param key the message's key
	 * @return the write, to wait for
	 */
	public PendingWrite remove(PendingMessage.Key key) {
		PendingWrite write = new PendingWrite(List.of(new PendingMessageChange.Removed(key)), false, null);
		if (!this.gathers) {
			write.applyTo(this.store, this.clientId, this.status);
			return write;
		}
		PendingWrite unfinished;
		PendingWrite dropped = null;
		boolean queued = false;
		this.lock.lock();
		try {
			unfinished = this.unfinishedAdditions.remove(key);
			if (unfinished != null && unfinished.acknowledgeable) {
				this.acknowledgementNanos = average(this.acknowledgementNanos, System.nanoTime() - unfinished.queuedAt);
			}
			PendingWrite addition = this.queuedByKey.get(key);
			if (addition != null && addition.fresh) {
				// Not written yet, and nothing else queued touches the key: neither needs
				// writing.
				addition.cancelled = true;
				this.queuedByKey.remove(key);
				this.finished++;
				this.progressed.signalAll();
				dropped = addition;
			}
			else {
				queued = enqueueIfRunning(write, key);
			}
		}
		finally {
			this.lock.unlock();
		}
		// Waiters are woken once the lock is free: the other publishers and the writer
		// thread need it
		if (unfinished != null) {
			// The broker acknowledged the message: its publisher need not wait for the
			// write any longer.
			unfinished.release();
		}
		if (dropped != null) {
			dropped.drop();
			write.complete();
		}
		else if (!queued) {
			write.applyTo(this.store, this.clientId, this.status);
		}
		return write;
	}

	/**
	 * Removes a message and its buffered record with the same packet id in one write.
	 * @param key the message's key
	 * @param bufferedKey the key of the buffered record of its packet id
	 * @return the write, to wait for
	 */
	public PendingWrite removeBoth(PendingMessage.Key key, PendingMessage.Key bufferedKey) {
		PendingWrite write = new PendingWrite(
				List.of(new PendingMessageChange.Removed(key), new PendingMessageChange.Removed(bufferedKey)), false,
				null);
		submit(write, key, bufferedKey);
		return write;
	}

	/**
	 * The writes of this session that failed since its last write that landed.
	 * @return the failures; absent while writes land
	 */
	public @Nullable StoreWriteFailure lastFailure() {
		return this.status.current();
	}

	/**
	 * Waits until every write made so far is applied (or has failed); failed removals
	 * tried again do not count.
	 */
	public void flush() {
		if (!this.gathers) {
			return;
		}
		this.lock.lock();
		try {
			long target = this.submitted;
			// Held publishes are written now, not once their delay passed
			this.flushes++;
			this.queued.signal();
			while (this.finished < target && this.thread != null) {
				this.progressed.awaitUninterruptibly();
			}
		}
		finally {
			this.flushes--;
			this.lock.unlock();
		}
	}

	private void submit(PendingWrite write, PendingMessage.Key... keys) {
		if (!this.gathers) {
			write.applyTo(this.store, this.clientId, this.status);
			return;
		}
		this.lock.lock();
		try {
			if (enqueueIfRunning(write, keys)) {
				return;
			}
		}
		finally {
			this.lock.unlock();
		}
		write.applyTo(this.store, this.clientId, this.status);
	}

	/**
	 * Queues a write for the background thread, when it runs; the caller holds the lock.
	 * @return {@code false} when the writer is not open (Paho may still acknowledge after
	 * its client was closed): the caller then writes right away
	 */
	private boolean enqueueIfRunning(PendingWrite write, PendingMessage.Key... keys) {
		if (this.thread == null) {
			return false;
		}
		enqueue(write, keys);
		return true;
	}

	private void enqueue(PendingWrite write, PendingMessage.Key... keys) {
		write.keys = keys;
		index(write);
		for (PendingMessage.Key key : keys) {
			if (this.retries.supersede(key)) {
				// The store still holds the message the failed removal was for: this
				// write must land to replace it, not be dropped with its acknowledgement
				write.fresh = false;
			}
		}
		if (write.isAddition()) {
			this.unfinishedAdditions.put(keys[0], write);
		}
		write.queuedAt = System.nanoTime();
		write.held = holdable(write);
		this.queue.add(write);
		this.submitted++;
		if (!this.holding || !write.held) {
			this.queued.signal();
		}
	}

	/** Records a queued write under its keys; the caller holds the lock. */
	private void index(PendingWrite write) {
		for (PendingMessage.Key key : write.keys) {
			this.queuedByKey.merge(key, write, (queued, added) -> SEVERAL);
		}
	}

	/**
	 * Whether a queued write may wait the write delay, which it does only while the
	 * broker's acknowledgements have come sooner than the store's commits: a publish the
	 * client sends meanwhile, new (nothing stored under its key) and touched by no other
	 * queued write, so that its acknowledgement drops it; or the removal an outbound
	 * acknowledgement queues, which nobody waits for (a crash before it lands only sends
	 * the message once more). The caller holds the lock.
	 */
	private boolean holdable(PendingWrite write) {
		if (this.writeDelayNanos == 0 || (this.commitNanos > 0 && this.acknowledgementNanos > this.commitNanos)) {
			return false;
		}
		if (write.isRemoval()) {
			for (PendingMessage.Key key : write.keys) {
				if (key.state() != PendingMessage.State.OUTBOUND_PUBLISH
						&& key.state() != PendingMessage.State.OUTBOUND_PUBREL) {
					return false;
				}
			}
			return true;
		}
		return write.acknowledgeable && write.fresh && this.queuedByKey.get(write.keys[0]) == write;
	}

	private void run() {
		boolean lastTry = false;
		while (true) {
			List<PendingWrite> batch = new ArrayList<>();
			this.lock.lock();
			try {
				this.retries.awaitDue(this.queued, () -> this.queue.isEmpty() && !this.stopping);
				if (this.queue.isEmpty() && (this.retries.isEmpty() || lastTry)) {
					this.retries.giveUp();
					this.thread = null;
					this.progressed.signalAll();
					return;
				}
				lastTry = this.stopping && this.queue.isEmpty();
				boolean takeAll = this.stopping || this.flushes > 0;
				long untilDue = takeAll ? 0 : nanosUntilDue();
				if (untilDue > 0 && !this.retries.isDue()) {
					if (this.queue.isEmpty()) {
						// Only writes a removal made needless were left
						continue;
					}
					// Everything queued may still wait: wakes for a write that cannot, or
					// when the oldest comes due
					this.holding = true;
					try {
						this.queued.awaitNanos(this.retries.capWait(untilDue));
					}
					catch (InterruptedException ex) {
						// Only the writer's stop ends the wait
					}
					finally {
						this.holding = false;
					}
					continue;
				}
				int retried = this.retries.takeInto(batch);
				long dueBefore = System.nanoTime() - this.writeDelayNanos;
				for (Iterator<PendingWrite> writes = this.queue.iterator(); writes.hasNext()
						&& batch.size() - retried < MAX_BATCH;) {
					PendingWrite write = writes.next();
					if (write.cancelled) {
						writes.remove();
					}
					else if (takeAll || !heldPublish(write, dueBefore)) {
						writes.remove();
						batch.add(write);
					}
				}
				// A key the batch wrote twice must not stay marked as touched by several
				// writes while publishes within their delay stay queued
				this.queuedByKey.clear();
				for (PendingWrite write : this.queue) {
					if (!write.cancelled) {
						index(write);
					}
				}
				this.finished -= retried;
			}
			finally {
				this.lock.unlock();
			}
			long started = System.nanoTime();
			PendingWrite.applyAll(batch, this.store, this.clientId, this.status);
			long ended = System.nanoTime();
			this.lock.lock();
			try {
				if (!batch.isEmpty()) {
					this.commitNanos = average(this.commitNanos, commitWait(batch, started, ended));
				}
				for (PendingWrite write : batch) {
					if (write.isAddition() && !write.acknowledgeable) {
						this.unfinishedAdditions.remove(write.keys[0], write);
					}
					if (write.failure() != null && write.isRemoval() && !supersededByQueuedWrite(write)) {
						this.retries.add(write);
					}
				}
				this.finished += batch.size();
				this.progressed.signalAll();
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	/**
	 * A moving average that gives a new sample a sixteenth of the weight.
	 * @param average the average so far, 0 before the first sample
	 * @param sample the sample
	 * @return the new average
	 */
	private static long average(long average, long sample) {
		return (average == 0) ? sample : average + (sample - average) / 16;
	}

	/**
	 * How long a publish waited for its commit, as its publisher saw it: from when it was
	 * queued, which counts the wait for a commit under way, averaged over the batch's
	 * additions. Additions that could wait the delay count the commit's own time, since
	 * their wait was mostly their choice.
	 */
	private static long commitWait(List<PendingWrite> batch, long started, long ended) {
		long waited = 0;
		int additions = 0;
		for (PendingWrite write : batch) {
			if (write.isAddition() && !write.held) {
				waited += ended - write.queuedAt;
				additions++;
			}
		}
		return (additions > 0) ? waited / additions : ended - started;
	}

	/**
	 * How long until a queued write is due, in nanoseconds: 0 when one is, a write that
	 * may not wait or one that waited the delay. Drops the writes a removal made needless
	 * on the way; the caller holds the lock.
	 */
	private long nanosUntilDue() {
		long now = System.nanoTime();
		long untilDue = Long.MAX_VALUE;
		for (Iterator<PendingWrite> writes = this.queue.iterator(); writes.hasNext();) {
			PendingWrite write = writes.next();
			if (write.cancelled) {
				writes.remove();
			}
			else if (!holdable(write)) {
				return 0;
			}
			else {
				untilDue = Math.min(untilDue, Math.max(0, write.queuedAt + this.writeDelayNanos - now));
			}
		}
		return untilDue;
	}

	/**
	 * Whether a queued write is a publish that stays queued while others are committed:
	 * one that may wait, queued less than the delay ago. The caller holds the lock.
	 */
	private boolean heldPublish(PendingWrite write, long dueBefore) {
		return write.isAddition() && write.queuedAt - dueBefore > 0 && holdable(write);
	}

	/**
	 * Whether a queued write settles what the store holds under a failed removal's key,
	 * so that the removal need not be tried again; such a write may no longer be dropped
	 * with its acknowledgement, since the store still holds the old message under its
	 * key. The caller holds the lock.
	 */
	private boolean supersededByQueuedWrite(PendingWrite write) {
		boolean superseded = false;
		for (PendingMessage.Key key : write.keys) {
			PendingWrite queued = this.queuedByKey.get(key);
			if (queued != null) {
				queued.fresh = false;
				superseded = true;
			}
		}
		return superseded;
	}

}
