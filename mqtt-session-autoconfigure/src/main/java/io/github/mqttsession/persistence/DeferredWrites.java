package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.List;

/**
 * The writes a publish leaves to wait for once Paho returns: Paho stores a message while
 * it holds the lock its sender thread needs, so waiting there for a durable write would
 * let only one message through per commit. Inside {@link #publishDurably} the persistence
 * queues the write and returns; the publisher then waits outside Paho's locks, so many
 * publishers share a commit and none returns before its message is safe.
 * <p>
 * The wait for room in the window and the wait for the writes together last no longer
 * than the window's time limit ({@code mqtt.outbound.send-timeout}): a store that does
 * not answer (a connection pool waiting for a database that is down) fails the publish
 * then with a {@link io.github.mqttsession.store.SessionStoreException}. The message was
 * handed to the MQTT client by then: it is sent, and its write stays queued and may still
 * land.
 */
final class DeferredWrites {

	/** Per thread, inside {@link #publishDurably}: the writes of its publishes. */
	private final ThreadLocal<List<PendingWrite>> deferred = new ThreadLocal<>();

	private final SendWindow window;

	private final boolean gathers;

	/**
	 * Creates the deferral for one session.
	 * @param window the window a publish waits for room in
	 * @param gathers whether the store gathers writes; when it does not, nothing is
	 * deferred
	 */
	DeferredWrites(SendWindow window, boolean gathers) {
		this.window = window;
		this.gathers = gathers;
	}

	/**
	 * Runs a publish, then waits until every message it stored is durable (or
	 * acknowledged by the broker, which makes its write needless).
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 * @throws io.github.mqttsession.store.SessionStoreException when a write failed, or
	 * did not land within the window's time limit
	 */
	<T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		if (this.deferred.get() != null) {
			return publish.publish();
		}
		if (!this.gathers) {
			return this.window.send(publish);
		}
		long deadline = this.window.writeDeadline();
		List<PendingWrite> writes = new ArrayList<>(1);
		this.deferred.set(writes);
		T result;
		try {
			result = this.window.send(publish);
		}
		finally {
			this.deferred.remove();
		}
		for (PendingWrite write : writes) {
			this.window.awaitWrite(write, deadline);
		}
		return result;
	}

	/**
	 * Whether the calling thread runs inside {@link #publishDurably}, which waits for its
	 * writes once the publish returned.
	 * @return {@code true} when it does
	 */
	boolean deferring() {
		return this.deferred.get() != null;
	}

	/**
	 * Leaves the wait for a write to {@link #publishDurably}, when the calling thread
	 * runs inside it.
	 * @param write the write
	 * @return whether the wait was left to the publish
	 */
	boolean defer(PendingWrite write) {
		List<PendingWrite> writes = this.deferred.get();
		if (writes == null) {
			return false;
		}
		writes.add(write);
		return true;
	}

}
