package io.github.mqttsession.paho;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;

import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.OfflineBufferSweep;
import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.PendingMessageLimitExceededException;
import io.github.mqttsession.persistence.PublishTimeoutException;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.persistence.SessionStorePersistence;
import io.github.mqttsession.persistence.StoreWriteFailure;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * What the MQTT 3.1.1 and MQTT 5 Paho persistences share, written once: Paho's keys and packet bytes become
 * {@link PendingMessage}s of a {@link SessionStorePersistence}, and the methods a client manager calls that carry
 * no Paho type. The subclasses add only what Paho's two APIs type differently.
 */
abstract class PahoPersistenceSupport {

	final SessionStorePersistence persistence;

	final PahoPacketCodec codec;

	final OfflineBufferSweep sweep;

	PahoPersistenceSupport(SessionStore store, String clientId, boolean mqtt5, PendingMessageLimit limit,
			@Nullable SessionLease lease, SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl,
			Predicate<Throwable> refusedForFullWindow) {
		this.persistence = new SessionStorePersistence(store, clientId, mqtt5, limit, lease, listener,
				offlineMessageTtl, refusedForFullWindow);
		this.codec = new PahoPacketCodec(mqtt5);
		this.sweep = new OfflineBufferSweep(this.persistence);
	}

	/**
	 * Sets the scheduler that renews the session's lease while the client runs; needed when the persistence was
	 * created with a lease.
	 * @param taskScheduler the scheduler
	 */
	public void setTaskScheduler(TaskScheduler taskScheduler) {
		this.persistence.setTaskScheduler(taskScheduler);
	}

	/**
	 * Runs a write of the session that must wait until this instance owns it: each time the persistence opens
	 * the session, once its lease is taken, and at once when the session is open already. Nothing is written to
	 * the store before then, so that an instance waiting for another's lease changes nothing that one holds.
	 * @param write the write; when it fails, so does the open, and with it the client's start
	 */
	public void whenOwned(Runnable write) {
		this.persistence.whenOwned(write);
	}

	/**
	 * How many pending messages the session holds now.
	 * @return the count
	 */
	public int pendingMessageCount() {
		return this.persistence.pendingMessageCount();
	}

	/**
	 * The writes of the session that failed since its last write that landed.
	 * @return the failures; absent while writes land
	 */
	public @Nullable StoreWriteFailure lastStoreWriteFailure() {
		return this.persistence.lastStoreWriteFailure();
	}

	/** Closes, and gives the client id back so that another client in this process may use it. */
	public void release() {
		this.persistence.release();
	}

	/**
	 * Fails with a {@link PendingMessageLimitExceededException} when a message published now, while offline, would
	 * be rejected for the cap on pending messages: a publisher learns it before Paho takes the message.
	 * @param topic the topic of the message
	 */
	public void checkRoomForOfflineMessage(String topic) {
		this.persistence.checkRoom(topic);
	}

	/**
	 * Runs a publish through the client of this persistence once its in-flight window has room, and returns once
	 * every message it stored is durable, or already acknowledged by the broker. Paho stores a message while it
	 * holds a lock its sender thread needs; published this way, the wait happens after Paho let go of it, so that
	 * concurrent publishers share one commit of a store that
	 * {@linkplain io.github.mqttsession.store.SessionStore#gathersWrites() gathers writes}. A message published
	 * without this method is durable when Paho's {@code publish} returns, one commit at a time.
	 * @param <T> what the publish returns, such as Paho's token
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code () -> client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 * @throws PublishTimeoutException when the in-flight window stayed full for the {@linkplain #sendWindow() time
	 * limit}; nothing of the message was stored
	 * @throws io.github.mqttsession.store.SessionStoreException when the message could not be stored; Paho may
	 * still deliver it
	 */
	public <T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		return this.persistence.publishDurably(publish);
	}

	/**
	 * The client's in-flight window, in which {@link #publishDurably} waits for room; the client manager sets its
	 * size, how it learns that the client is connected, and its time limit.
	 * @return the window
	 */
	public SendWindow sendWindow() {
		return this.persistence.window();
	}

	/**
	 * Deals with a connect where the broker reports no session: pending publishes are sent again with a warning,
	 * and QoS 2 releases, complete from the client's side, are dropped with an info log.
	 */
	public void brokerHasNoSession() {
		this.persistence.brokerHasNoSession();
	}

	/**
	 * The last packet id the session had used when it was loaded, for a client to carry on from.
	 * @return the packet id, 0 when none
	 */
	public int restoredPacketId() {
		return this.persistence.restoredPacketId();
	}

	/** Opens the session and sweeps the offline buffer, as Paho opens the persistence for a connect. */
	void openSession() {
		this.persistence.open();
		this.sweep.beforeConnect();
	}

	/**
	 * Stores a packet Paho persists.
	 * @param key Paho's key
	 * @param header the header bytes
	 * @param payload the payload bytes
	 */
	void store(String key, byte[] header, byte[] payload) {
		this.persistence.put(this.codec.decode(PahoKey.parse(key), header, payload));
	}

	/**
	 * Hears whether Paho stored a buffered message.
	 * @param key Paho's key
	 * @param identity the object the message is known by in Paho's buffer; absent when storing it failed
	 */
	void buffered(String key, @Nullable Object identity) {
		this.sweep.buffered(PahoKey.parse(key), identity);
	}

	/**
	 * The message stored under a key, as Paho reads it back to send it.
	 * @param key Paho's key
	 * @return the message
	 * @throws IllegalStateException when nothing is stored under the key
	 */
	PendingMessage read(String key) {
		PendingMessage message = this.persistence.getForSending(PahoKey.parse(key));
		if (message == null) {
			throw new IllegalStateException(
					"No message is stored under key " + key + " for client '" + this.persistence.clientId() + "'");
		}
		return message;
	}

	/**
	 * Removes what Paho stored under a key.
	 * @param key Paho's key
	 */
	void removeKey(String key) {
		PendingMessage.Key parsed = PahoKey.parse(key);
		if (parsed.state() == PendingMessage.State.OFFLINE_BUFFERED) {
			this.sweep.removed(parsed);
		}
		this.persistence.remove(parsed);
	}

	/**
	 * Paho's keys of the messages held.
	 * @return the keys
	 */
	Enumeration<String> pahoKeys() {
		List<PendingMessage.Key> keys = this.persistence.keys();
		return Collections.enumeration(keys.stream().map(PahoKey::of).toList());
	}

	/**
	 * Whether a message is held under one of Paho's keys.
	 * @param key Paho's key
	 * @return {@code true} when one is
	 */
	boolean holds(String key) {
		return this.persistence.containsKey(PahoKey.parse(key));
	}

	/** Deletes the whole stored session, as Paho clears on a clean-session connect. */
	void clearSession() {
		this.sweep.cleared();
		this.persistence.clear();
	}

	static byte[] slice(byte @Nullable [] bytes, int offset, int length) {
		if (bytes == null) {
			return new byte[0];
		}
		return (offset == 0 && length == bytes.length) ? bytes : Arrays.copyOfRange(bytes, offset, offset + length);
	}

}
