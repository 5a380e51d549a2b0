package io.github.mqttsession.persistence;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The client's in-flight window as publishers meet it: a publish waits here for room
 * instead of failing.
 * <p>
 * Paho refuses a publish with "Too many publishes in progress" (32202) while as many
 * messages as its window holds are sent and not acknowledged (the {@code max-inflight}
 * option on MQTT 3.1.1, the broker's Receive Maximum on MQTT 5), and offers no call that
 * waits. This window counts what Paho's counts: the outbound publishes the session holds
 * (Paho stores each QoS 1 and 2 publish before it queues it, restored ones included, and
 * removes it on PUBACK or PUBCOMP), plus the publishers let through whose publish is not
 * stored yet. A publisher waits while the count fills the window and the client is
 * connected; while it is not, its message goes to the offline buffer, which the window
 * does not limit. Paho counts an acknowledgement a moment after the session removed its
 * message, and a QoS 0 publish for the moment it is written: a refusal Paho makes all the
 * same is retried after a short pause, within the same time limit.
 * <p>
 * A publish from the thread that delivers Paho's callbacks never waits: that thread also
 * handles the acknowledgements that would make room, so it could only wait until the time
 * limit. It is tried once and fails at once when the window is full.
 */
public final class SendWindow {

	private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private static final long FIRST_RETRY_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

	private static final long LAST_RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

	private static final ThreadLocal<Boolean> callbackThread = new ThreadLocal<>();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	private final String clientId;

	private final Predicate<Throwable> refusedForFullWindow;

	private int held;

	private int passing;

	private int waiting;

	private volatile int size = 65_535;

	private volatile String sizeOrigin = "Paho's default";

	private volatile BooleanSupplier connected = () -> false;

	private volatile Duration timeout = Duration.ofSeconds(30);

	/**
	 * Creates a window.
	 * @param clientId the client id, for the error messages
	 * @param refusedForFullWindow whether an exception (or one of its causes) is Paho's
	 * refusal for a full window
	 */
	SendWindow(String clientId, Predicate<Throwable> refusedForFullWindow) {
		this.clientId = clientId;
		this.refusedForFullWindow = refusedForFullWindow;
	}

	/**
	 * Marks the calling thread as the one that delivers Paho's callbacks: a publish from
	 * it never waits for room.
	 */
	public static void markCallbackThread() {
		if (callbackThread.get() == null) {
			callbackThread.set(Boolean.TRUE);
		}
	}

	/**
	 * Sets how many messages may be in flight at once, and where that number comes from,
	 * for the error message.
	 * @param size the window's size
	 * @param origin the setting or the broker's property it comes from
	 */
	public void setSize(int size, String origin) {
		this.lock.lock();
		try {
			this.size = Math.max(1, size);
			this.sizeOrigin = origin;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * How many messages may be in flight at once.
	 * @return the size
	 */
	public int size() {
		return this.size;
	}

	/**
	 * Sets how the window learns whether the client is connected; publishes wait for room
	 * only while it is.
	 * @param connected whether the client is connected
	 */
	public void setConnected(BooleanSupplier connected) {
		this.connected = connected;
	}

	/**
	 * Sets how long a publish may wait for room in all.
	 * @param timeout the time limit
	 */
	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	/**
	 * How long a publish may wait for room in all.
	 * @return the time limit
	 */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * How long a publish may wait for the store to write its message: the time limit, or
	 * the default 30 s when the limit is 0 (which fails a publish at once when the window
	 * is full, but a write always takes a moment).
	 * @return the time limit for the writes
	 */
	Duration writeTimeout() {
		return writeTimeout(this.timeout);
	}

	/**
	 * How long a publish may wait for the store to write its message under a time limit:
	 * the limit, or the default 30 s when it is 0.
	 * @param timeout the time limit ({@code mqtt.outbound.send-timeout})
	 * @return the time limit for the writes
	 */
	public static Duration writeTimeout(Duration timeout) {
		return timeout.isZero() ? Duration.ofSeconds(30) : timeout;
	}

	/**
	 * Waits for a publish's write until a deadline counted from {@link #writeTimeout()}.
	 * @param write the write
	 * @param deadline the {@link System#nanoTime()} to wait until
	 */
	void awaitWrite(PendingWrite write, long deadline) {
		write.await(deadline, this.clientId, () -> "mqtt.outbound.send-timeout (" + writeTimeout() + ")");
	}

	/**
	 * The deadline of a write that starts now.
	 * @return the {@link System#nanoTime()} to wait until
	 */
	long writeDeadline() {
		return System.nanoTime() + writeTimeout().toNanos();
	}

	/** The session holds one more outbound publish. */
	void added() {
		this.lock.lock();
		try {
			this.held++;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** The session let go of an outbound publish. */
	void removed() {
		this.lock.lock();
		try {
			this.held--;
			if (this.waiting > 0) {
				this.changed.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Starts counting anew, after the session was loaded or cleared.
	 * @param held the outbound publishes the session holds
	 */
	void reset(int held) {
		this.lock.lock();
		try {
			this.held = held;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Runs a publish once the window has room, and again after a short pause while Paho
	 * refuses it for a full window, until the time limit.
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish
	 * @return what the publish returned
	 * @throws E when the publish fails for another reason
	 * @throws PublishTimeoutException when the window stayed full for the whole time
	 * limit
	 */
	<T, E extends Exception> T send(DurablePublish<T, E> publish) throws E {
		boolean mayWait = callbackThread.get() == null;
		long start = System.nanoTime();
		long deadline = start + this.timeout.toNanos();
		long pause = FIRST_RETRY_PAUSE_NANOS;
		while (true) {
			if (mayWait) {
				enter(deadline, start);
			}
			else {
				enterWithoutWaiting();
			}
			try {
				return publish.publish();
			}
			catch (Exception ex) {
				if (!refusedForFullWindow(ex)) {
					throw ex;
				}
				if (!mayWait) {
					throw new PublishTimeoutException(callbackThreadRefusal(), ex);
				}
				if (System.nanoTime() - deadline >= 0) {
					throw new PublishTimeoutException(timedOut(start), ex);
				}
			}
			finally {
				leave();
			}
			awaitChange(Math.min(pause, deadline - System.nanoTime()));
			pause = Math.min(pause * 2, LAST_RETRY_PAUSE_NANOS);
		}
	}

	private void enter(long deadline, long start) {
		while (true) {
			// Asked outside this window's lock: Paho answers under a lock of its own
			boolean connected = this.connected.getAsBoolean();
			this.lock.lock();
			try {
				if (!connected || this.held + this.passing < this.size) {
					this.passing++;
					return;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					// Room this thread was signalled for and no longer takes goes to the
					// next waiter
					this.changed.signal();
					throw new PublishTimeoutException(timedOut(start), null);
				}
				this.waiting++;
				try {
					// In slices: a lost connection is not signalled, so it is seen within
					// a slice
					this.changed.awaitNanos(Math.min(left, SLICE_NANOS));
				}
				catch (InterruptedException ex) {
					this.changed.signal();
					throw interrupted(ex);
				}
				finally {
					this.waiting--;
				}
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	private void enterWithoutWaiting() {
		this.lock.lock();
		try {
			this.passing++;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void leave() {
		this.lock.lock();
		try {
			this.passing--;
			if (this.waiting > 0 && this.held + this.passing < this.size) {
				this.changed.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private boolean refusedForFullWindow(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (this.refusedForFullWindow.test(cause)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Waits a moment after Paho refused a publish, or less when an acknowledgement
	 * arrives meanwhile: Paho counts an acknowledgement a few microseconds after the
	 * session removed the message, so the refusal rarely lasts.
	 */
	private void awaitChange(long nanos) {
		if (nanos <= 0) {
			return;
		}
		this.lock.lock();
		try {
			this.waiting++;
			try {
				this.changed.awaitNanos(nanos);
			}
			catch (InterruptedException ex) {
				throw interrupted(ex);
			}
			finally {
				this.waiting--;
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private PublishTimeoutException interrupted(InterruptedException ex) {
		Thread.currentThread().interrupt();
		return new PublishTimeoutException("Client '" + this.clientId
				+ "' was interrupted while a publish waited for room in the in-flight window; nothing was stored or sent",
				ex);
	}

	private String timedOut(long start) {
		long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		return "Client '" + this.clientId + "' could not publish within " + waited + " ms: the in-flight window of "
				+ this.size + " messages (" + this.sizeOrigin + ") stayed full of messages the broker has not"
				+ " acknowledged; nothing was stored or sent. Raise mqtt.outbound.send-timeout (now " + this.timeout
				+ ") to wait longer for a slow broker";
	}

	private String callbackThreadRefusal() {
		return "Client '" + this.clientId + "' could not publish from the thread that delivers arriving messages: the"
				+ " in-flight window of " + this.size + " messages (" + this.sizeOrigin + ") is full, and that thread"
				+ " cannot wait for the acknowledgements it must itself handle; nothing was stored or sent. Publish from"
				+ " another thread, for example by making mqtt.inbound.channel an ExecutorChannel";
	}

}
