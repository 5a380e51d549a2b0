package io.github.mqttsession.paho;

import java.time.Duration;
import java.util.Arrays;
import java.util.Enumeration;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttPersistable;
import org.eclipse.paho.client.mqttv3.MqttPersistenceException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * A Paho MQTT 3.1.1 {@link MqttClientPersistence} that keeps a client's in-flight and offline messages in a
 * {@link SessionStore}, under the client id it was created for (never one the broker assigns). Use one instance
 * per client; {@link #close()} keeps the data, {@link #release()} gives the client id back when the client is
 * gone.
 */
public class SessionStoreMqttClientPersistence implements MqttClientPersistence {

	private final SessionStorePersistence persistence;

	private final OfflineBufferSweep sweep;

	/**
	 * Creates a persistence with the default limit of pending messages.
	 * @param store the store
	 * @param clientId the client id the session is stored under
	 */
	public SessionStoreMqttClientPersistence(SessionStore store, String clientId) {
		this(store, clientId, PendingMessageLimit.DEFAULT, null, SessionPersistenceListener.NONE);
	}

	/**
	 * Creates a persistence.
	 * @param store the store
	 * @param clientId the client id the session is stored under
	 * @param limit the cap on pending messages and what happens beyond it
	 * @param lease the lease that makes this client the session's only owner among instances, or {@code null}
	 * @param listener hears what is persisted, removed and dropped
	 */
	public SessionStoreMqttClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit, SessionLease lease,
			SessionPersistenceListener listener) {
		this(store, clientId, limit, lease, listener, null);
	}

	/**
	 * Creates a persistence whose messages buffered while offline expire.
	 * @param store the store
	 * @param clientId the client id the session is stored under
	 * @param limit the cap on pending messages and what happens beyond it
	 * @param lease the lease that makes this client the session's only owner among instances, or {@code null}
	 * @param listener hears what is persisted, removed, dropped and expired
	 * @param offlineMessageTtl how long a message published while offline may wait to be sent; {@code null} to keep
	 * it until it is sent
	 */
	public SessionStoreMqttClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit, SessionLease lease,
			SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl) {
		this.persistence = new SessionStorePersistence(store, clientId, false, limit, lease, listener, offlineMessageTtl,
				(ex) -> ex instanceof MqttException mqtt && mqtt.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT);
		this.sweep = new OfflineBufferSweep(this.persistence);
	}

	/**
	 * Lets this persistence take messages whose expiry passed out of the client's offline buffer at the start of
	 * each connect attempt. Without it, expired messages are dropped only when a client is created on the stored
	 * session.
	 * @param client the client this persistence was created for
	 * @param maxInflight the client's {@code maxInflight} connect option
	 */
	public void setClient(MqttAsyncClient client, int maxInflight) {
		this.sweep.attach(new Mqttv3OfflineBuffer(client, maxInflight));
	}

	/**
	 * Sets the scheduler that renews the session's lease while the client runs; needed when the persistence was
	 * created with a lease.
	 * @param taskScheduler the scheduler
	 */
	public void setTaskScheduler(TaskScheduler taskScheduler) {
		this.persistence.lease().setTaskScheduler(taskScheduler);
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

	@Override
	public void open(String clientId, String serverURI) throws MqttPersistenceException {
		run(this.persistence::open);
		this.sweep.beforeConnect();
	}

	@Override
	public void close() throws MqttPersistenceException {
		run(this.persistence::close);
	}

	/** Closes, and gives the client id back so that another client in this process may use it. */
	public void release() {
		this.persistence.release();
	}

	@Override
	public void put(String key, MqttPersistable persistable) throws MqttPersistenceException {
		byte[] header = slice(persistable.getHeaderBytes(), persistable.getHeaderOffset(), persistable.getHeaderLength());
		byte[] payload = slice(persistable.getPayloadBytes(), persistable.getPayloadOffset(),
				persistable.getPayloadLength());
		if (!key.startsWith("sb-")) {
			run(() -> this.persistence.put(key, header, payload));
			return;
		}
		try {
			run(() -> this.persistence.put(key, header, payload));
		}
		catch (MqttPersistenceException ex) {
			this.sweep.buffered(key, null);
			throw ex;
		}
		this.sweep.buffered(key, (persistable instanceof MqttPublish publish) ? publish.getMessage() : persistable);
	}

	@Override
	public MqttPersistable get(String key) throws MqttPersistenceException {
		PendingMessage message = this.persistence.get(key);
		if (message == null) {
			throw new MqttPersistenceException(new IllegalStateException(
					"No message is stored under key " + key + " for client '" + this.persistence.clientId() + "'"));
		}
		return new StoredPacket(this.persistence.codec().encodeHeader(message), message.payload());
	}

	@Override
	public void remove(String key) throws MqttPersistenceException {
		if (key.startsWith("sb-")) {
			this.sweep.removed(key);
		}
		run(() -> this.persistence.remove(key));
	}

	@Override
	public Enumeration<String> keys() {
		return this.persistence.keys();
	}

	@Override
	public void clear() throws MqttPersistenceException {
		this.sweep.cleared();
		run(this.persistence::clear);
	}

	@Override
	public boolean containsKey(String key) {
		return this.persistence.containsKey(key);
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
	 * every message it stored is durable, or already acknowledged by the broker. Paho stores a message while it holds a lock its sender thread needs;
	 * published this way, the wait happens after Paho let go of it, so that concurrent publishers share one commit
	 * of a store that {@linkplain io.github.mqttsession.store.SessionStore#gathersWrites() gathers writes}. A
	 * message published without this method is durable when Paho's {@code publish} returns, one commit at a time.
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

	static byte[] slice(byte[] bytes, int offset, int length) {
		if (bytes == null) {
			return new byte[0];
		}
		return (offset == 0 && length == bytes.length) ? bytes : Arrays.copyOfRange(bytes, offset, offset + length);
	}

	private static void run(Runnable action) throws MqttPersistenceException {
		try {
			action.run();
		}
		catch (RuntimeException ex) {
			throw new MqttPersistenceException(ex);
		}
	}

	/** A persisted packet as Paho reads it back. */
	private record StoredPacket(byte[] header, byte[] payload) implements MqttPersistable {

		@Override
		public byte[] getHeaderBytes() {
			return this.header;
		}

		@Override
		public int getHeaderLength() {
			return this.header.length;
		}

		@Override
		public int getHeaderOffset() {
			return 0;
		}

		@Override
		public byte[] getPayloadBytes() {
			return this.payload;
		}

		@Override
		public int getPayloadLength() {
			return this.payload.length;
		}

		@Override
		public int getPayloadOffset() {
			return 0;
		}

	}

}
