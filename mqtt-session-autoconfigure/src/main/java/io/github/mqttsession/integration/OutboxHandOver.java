package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The messages of one client written in the application's transactions
 * ({@link PendingMessage.State#TRANSACTIONAL_OUTBOX}) that wait for their hand-over to
 * the client: their numbers, taken when they are written and given back when their
 * transaction rolls back or their hand-over lands, and the committed ones in the order
 * they were committed; those found stored when the session is opened, left by an earlier
 * run, come first, in the order the session stored them. Hand-overs run one at a time,
 * first to last; one that fails stops the run, so that no later message overtakes it, and
 * a thread of its own tries again every second until every committed message is handed
 * over or the client is gone (the next start of the client hands them over then). It is
 * not a task on the session's scheduler: a hand-over may wait for room in the in-flight
 * window for the whole send timeout, and the scheduler renews the lease.
 */
final class OutboxHandOver {

	private static final Log logger = LogFactory.getLog(OutboxHandOver.class);

	private static final int MAX_NUMBER = 65_535;

	/** How long a failed hand-over waits before it is tried again. */
	private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final String clientId;

	private final Object lock = new Object();

	/** The numbers in use, written or committed. */
	private final Map<Integer, Boolean> numbers = new HashMap<>();

	/** The committed messages, by the order of their commit. */
	private final TreeMap<Long, PendingMessage> committed = new TreeMap<>();

	/** Keeps hand-overs one at a time. */
	private final ReentrantLock handingOver = new ReentrantLock();

	/** Whether the last hand-over failed, and is to be tried again. */
	private volatile boolean failed;

	/** Whether the last hand-over found no client to hand the message to. */
	private volatile boolean noClient;

	/** Whether a thread that tries failed hand-overs again runs. */
	private final AtomicBoolean retrying = new AtomicBoolean();

	/**
	 * The numbers of messages handed over since the client's session began to load, which
	 * the load may have found still stored; absent when no load is under way.
	 */
	private @Nullable Set<Integer> handedOverWhileOpening;

	private long sequence;

	private long restoredSequence;

	/** Whether a client was created, whose session's messages are known here. */
	private boolean opened;

	private int lastNumber;

	OutboxHandOver(String clientId) {
		this.clientId = clientId;
	}

	/**
	 * Takes a free number for a message about to be written.
	 * @return the number, 1..65,535
	 * @throws IllegalStateException before the client's session was first loaded
	 */
	int reserve() {
		synchronized (this.lock) {
			if (!this.opened) {
				// Until the session is loaded, a number could be one of a message stored
				// by
				// an earlier run
				throw new IllegalStateException("The MQTT client of client id '" + this.clientId
						+ "' is not started; a send in a transaction needs its session loaded");
			}
			if (this.numbers.size() >= MAX_NUMBER) {
				throw new IllegalStateException("Client '" + this.clientId + "' has " + MAX_NUMBER
						+ " messages written in transactions waiting for their hand-over; no number is free");
			}
			do {
				this.lastNumber = (this.lastNumber % MAX_NUMBER) + 1;
			}
			while (this.numbers.containsKey(this.lastNumber));
			this.numbers.put(this.lastNumber, Boolean.FALSE);
			return this.lastNumber;
		}
	}

	/**
	 * Gives back the numbers of messages whose transaction rolled back.
	 * @param released the numbers
	 */
	void release(List<Integer> released) {
		synchronized (this.lock) {
			for (Integer number : released) {
				this.numbers.remove(number);
			}
		}
	}

	/**
	 * Queues the messages of a transaction that committed, in their order.
	 * @param messages the messages
	 * @return the place of the last of them in the queue, for {@link #handOverUpTo}
	 */
	long committed(List<PendingMessage> messages) {
		synchronized (this.lock) {
			for (PendingMessage message : messages) {
				this.numbers.put(message.packetId(), Boolean.TRUE);
				this.committed.put(++this.sequence, message);
			}
			return this.sequence;
		}
	}

	/**
	 * Queues the messages the session held when it was opened, in the order it stored
	 * them, less those known here already (written or committed in this process).
	 * @param messages the messages
	 */
	void restored(List<PendingMessage> messages) {
		synchronized (this.lock) {
			this.opened = true;
			Set<Integer> handedOver = this.handedOverWhileOpening;
			this.handedOverWhileOpening = null;
			for (PendingMessage message : messages) {
				if (handedOver != null && handedOver.contains(message.packetId())) {
					continue;
				}
				if (this.numbers.putIfAbsent(message.packetId(), Boolean.TRUE) == null) {
					// Committed before anything committed in this process: first
					this.committed.put(Long.MIN_VALUE + this.restoredSequence++, message);
				}
			}
		}
	}

	/**
	 * How many messages are written or committed and not yet handed over.
	 * @return the count
	 */
	int waiting() {
		synchronized (this.lock) {
			return this.numbers.size();
		}
	}

	/**
	 * Marks that the client's session is about to be loaded: the messages handed over
	 * from now until {@link #restored} may be among those the load finds, and are not
	 * queued again.
	 */
	void opening() {
		synchronized (this.lock) {
			this.handedOverWhileOpening = new HashSet<>();
		}
	}

	/**
	 * Hands the committed messages to the client, first to last, until one fails. When
	 * another thread is handing over already, it hands these over too, and this call
	 * returns at once: waiting for it could deadlock with a client being created.
	 * @param publisher hands one message over; returns {@code false} when there is no
	 * client to hand it to
	 */
	void handOverCommitted(Publisher publisher) {
		handOverWhileAny(publisher);
		if (this.failed) {
			retryLater(publisher);
		}
	}

	/**
	 * Hands over the committed messages up to a place in the queue, on this thread or by
	 * waiting for the thread that hands over now, until a timeout: a transaction returns
	 * once its messages are with the client, so that the queue holds no more than the
	 * committing threads' messages. Returns early when a hand-over fails or no client is
	 * there; the messages stay queued and stored.
	 * @param last the place of a transaction's last message
	 * @param publisher hands one message to the client
	 * @param timeout how long to wait at most
	 */
	void handOverUpTo(long last, Publisher publisher, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			handOverCommitted(publisher);
			synchronized (this.lock) {
				long remaining = deadline - System.nanoTime();
				if (this.committed.isEmpty() || this.committed.firstKey() > last || this.failed || this.noClient
						|| remaining <= 0) {
					return;
				}
				try {
					// Woken when the thread that hands over now made progress
					this.lock.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), 100)));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	private void handOverWhileAny(Publisher publisher) {
		while (hasCommitted() && this.handingOver.tryLock()) {
			boolean drained;
			try {
				drained = handOverAll(publisher);
			}
			finally {
				this.handingOver.unlock();
			}
			if (!drained) {
				return;
			}
		}
	}

	/**
	 * Starts the thread that tries again every second, unless it runs.
	 */
	private void retryLater(Publisher publisher) {
		if (!this.retrying.compareAndSet(false, true)) {
			return;
		}
		Thread retry = new Thread(() -> {
			try {
				while (this.failed && hasCommitted()) {
					LockSupport.parkNanos(RETRY_NANOS);
					handOverWhileAny(publisher);
				}
			}
			finally {
				this.retrying.set(false);
			}
			// A hand-over that failed after the loop's last look
			if (this.failed && hasCommitted()) {
				retryLater(publisher);
			}
		}, "mqtt-session-hand-over-" + this.clientId);
		retry.setDaemon(true);
		retry.start();
	}

	private boolean hasCommitted() {
		synchronized (this.lock) {
			return !this.committed.isEmpty();
		}
	}

	/** Hands over until none is left, and tells whether none is. */
	private boolean handOverAll(Publisher publisher) {
		while (true) {
			Map.Entry<Long, PendingMessage> next;
			synchronized (this.lock) {
				next = this.committed.firstEntry();
			}
			if (next == null) {
				return true;
			}
			try {
				if (!publisher.publish(next.getValue())) {
					// No client: its next start hands the messages over
					this.failed = false;
					this.noClient = true;
					return false;
				}
			}
			catch (Exception ex) {
				if (!this.failed) {
					logger.warn(
							"Could not hand the message to '" + next.getValue().topic()
									+ "' written in a transaction of client '" + this.clientId
									+ "' to the client; it stays" + " stored, and the client tries again every second",
							ex);
				}
				else if (logger.isDebugEnabled()) {
					logger.debug("Could not hand a message written in a transaction of client '" + this.clientId
							+ "' to the client again", ex);
				}
				this.failed = true;
				return false;
			}
			this.failed = false;
			this.noClient = false;
			synchronized (this.lock) {
				this.lock.notifyAll();
				this.committed.remove(next.getKey());
				this.numbers.remove(next.getValue().packetId());
				if (this.handedOverWhileOpening != null) {
					this.handedOverWhileOpening.add(next.getValue().packetId());
				}
			}
		}
	}

	/**
	 * The committed messages not yet handed over, first to last.
	 * @return a snapshot
	 */
	List<PendingMessage> committedMessages() {
		synchronized (this.lock) {
			return new ArrayList<>(this.committed.values());
		}
	}

	/** Hands one message to the client. */
	@FunctionalInterface
	interface Publisher {

		boolean publish(PendingMessage message) throws Exception;

	}

}
