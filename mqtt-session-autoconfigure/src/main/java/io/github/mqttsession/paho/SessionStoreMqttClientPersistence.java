package io.github.mqttsession.paho;

import java.time.Duration;
import java.util.Enumeration;

import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttPersistable;
import org.eclipse.paho.client.mqttv3.MqttPersistenceException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPersistableWireMessage;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.jspecify.annotations.Nullable;

/**
 * A Paho MQTT 3.1.1 {@link MqttClientPersistence} that keeps a client's in-flight and
 * offline messages in a {@link SessionStore}, under the client id it was created for
 * (never one the broker assigns). Use one instance per client; {@link #close()} keeps the
 * data, {@link #release()} gives the client id back when the client is gone.
 */
public class SessionStoreMqttClientPersistence extends PahoPersistenceSupport implements MqttClientPersistence {

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
	 * @param lease the lease that makes this client the session's only owner among
	 * instances, if any
	 * @param listener hears what is persisted, removed and dropped
	 */
	public SessionStoreMqttClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit,
			@Nullable SessionLease lease, SessionPersistenceListener listener) {
		this(store, clientId, limit, lease, listener, null);
	}

	/**
	 * Creates a persistence whose messages buffered while offline expire.
	 * @param store the store
	 * @param clientId the client id the session is stored under
	 * @param limit the cap on pending messages and what happens beyond it
	 * @param lease the lease that makes this client the session's only owner among
	 * instances, if any
	 * @param listener hears what is persisted, removed, dropped and expired
	 * @param offlineMessageTtl how long a message published while offline may wait to be
	 * sent; absent to keep it until it is sent
	 */
	public SessionStoreMqttClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit,
			@Nullable SessionLease lease, SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl) {
		super(store, clientId, false, limit, lease, listener, offlineMessageTtl,
				(ex) -> ex instanceof MqttException mqtt
						&& mqtt.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT);
	}

	/**
	 * Lets this persistence take messages whose expiry passed out of the client's offline
	 * buffer at the start of each connect attempt. Without it, expired messages are
	 * dropped only when a client is created on the stored session.
	 * @param client the client this persistence was created for
	 * @param maxInflight the client's {@code maxInflight} connect option
	 */
	public void setClient(MqttAsyncClient client, int maxInflight) {
		this.sweep.attach(new Mqttv3OfflineBuffer(client, maxInflight));
	}

	@Override
	public void open(String clientId, String serverURI) throws MqttPersistenceException {
		run(this::openSession);
	}

	@Override
	public void close() throws MqttPersistenceException {
		run(this.persistence::close);
	}

	@Override
	public void put(String key, MqttPersistable persistable) throws MqttPersistenceException {
		boolean buffered = key.startsWith("sb-");
		Runnable store;
		if (persistable instanceof MqttPublish publish) {
			// Read from the packet's fields: its header Paho would encode anew, only for
			// the store to decode it again. A received message is delivered as the
			// message object of the packet stored.
			Object identity = buffered ? null : publish.getMessage();
			store = () -> this.persistence.put(this.codec.publish(PahoKey.parse(key), publish), identity);
		}
		else {
			// Paho's own packets encode their header anew on every call, and it is all of
			// the array: asked once
			byte[] header = (persistable instanceof MqttPersistableWireMessage) ? persistable.getHeaderBytes()
					: slice(persistable.getHeaderBytes(), persistable.getHeaderOffset(), persistable.getHeaderLength());
			byte[] payload = slice(persistable.getPayloadBytes(), persistable.getPayloadOffset(),
					persistable.getPayloadLength());
			store = () -> store(key, header, payload, null);
		}
		if (!buffered) {
			run(store);
			return;
		}
		try {
			run(store);
		}
		catch (MqttPersistenceException ex) {
			buffered(key, null);
			throw ex;
		}
		buffered(key, (persistable instanceof MqttPublish publish) ? publish.getMessage() : persistable);
	}

	@Override
	public MqttPersistable get(String key) throws MqttPersistenceException {
		PendingMessage message;
		try {
			message = read(key);
		}
		catch (RuntimeException ex) {
			throw new MqttPersistenceException(ex);
		}
		return new StoredPacket(this.codec.encodeHeader(message), message.payload());
	}

	@Override
	public void remove(String key) throws MqttPersistenceException {
		run(() -> removeKey(key));
	}

	@Override
	public Enumeration<String> keys() {
		return pahoKeys();
	}

	@Override
	public void clear() throws MqttPersistenceException {
		run(this::clearSession);
	}

	@Override
	public boolean containsKey(String key) {
		return holds(key);
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
