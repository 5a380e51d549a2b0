package io.github.mqttsession.paho;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.InboundHandling;
import io.github.mqttsession.persistence.OfflineBufferSweep;
import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.persistence.SessionStorePersistence;
import io.github.mqttsession.persistence.StoreWriteFailure;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStore;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * What the MQTT 3.1.1 and MQTT 5 Paho persistences share, written once: Paho's keys and
 * packet bytes become {@link PendingMessage}s of a {@link SessionStorePersistence}, and
 * the methods a client manager calls that carry no Paho type
 * ({@link ClientSessionPersistence}). The subclasses add only what Paho's two APIs type
 * differently.
 */
abstract class PahoPersistenceSupport implements ClientSessionPersistence {

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

	@Override
	public void setTaskScheduler(TaskScheduler taskScheduler) {
		this.persistence.setTaskScheduler(taskScheduler);
	}

	@Override
	public void whenOwned(Runnable write) {
		this.persistence.whenOwned(write);
	}

	@Override
	public int pendingMessageCount() {
		return this.persistence.pendingMessageCount();
	}

	@Override
	public @Nullable StoreWriteFailure lastStoreWriteFailure() {
		return this.persistence.lastStoreWriteFailure();
	}

	@Override
	public void onLeaseLost(Consumer<SessionLeaseLostException> listener) {
		this.persistence.onLeaseLost(listener);
	}

	@Override
	public void requireLease() {
		this.persistence.requireLease();
	}

	@Override
	public void confirmLease() {
		this.persistence.confirmLease();
	}

	@Override
	public void release() {
		this.sweep.detach();
		this.persistence.release();
	}

	@Override
	public void checkRoomForOfflineMessage(String topic) {
		this.persistence.checkRoom(topic);
	}

	@Override
	public <T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		return this.persistence.publishDurably(publish);
	}

	@Override
	public SendWindow sendWindow() {
		return this.persistence.window();
	}

	@Override
	public void setWriteDelay(Duration writeDelay) {
		this.persistence.setWriteDelay(writeDelay);
	}

	@Override
	public void brokerHasNoSession() {
		this.persistence.brokerHasNoSession();
	}

	@Override
	public <E extends Exception> void handOver(PendingMessage handedOver, DurablePublish<?, E> publish) throws E {
		this.persistence.handOver(handedOver, publish);
	}

	@Override
	public List<PendingMessage> takeRestoredOutbox() {
		return this.persistence.takeRestoredOutbox();
	}

	@Override
	public void checkRoomInTransaction(String topic, int waiting) {
		this.persistence.checkRoomInTransaction(topic, waiting);
	}

	@Override
	public InboundHandling inboundHandling() {
		return this.persistence.inbound();
	}

	@Override
	public int restoredPacketId() {
		return this.persistence.restoredPacketId();
	}

	/**
	 * Opens the session and sweeps the offline buffer, as Paho opens the persistence for
	 * a connect.
	 */
	void openSession() {
		this.persistence.open();
		this.sweep.beforeConnect();
	}

	/**
	 * Stores a packet Paho persists.
	 * @param key Paho's key
	 * @param header the header bytes
	 * @param payload the payload bytes
	 * @param identity the object Paho delivers a received message as; absent when none
	 */
	void store(String key, byte[] header, byte[] payload, @Nullable Object identity) {
		this.persistence.put(this.codec.decode(PahoKey.parse(key), header, payload), identity);
	}

	/**
	 * Hears whether Paho stored a buffered message.
	 * @param key Paho's key
	 * @param identity the object the message is known by in Paho's buffer; absent when
	 * storing it failed
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
