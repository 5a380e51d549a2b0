package io.github.mqttsession.paho;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttPersistable;
import org.eclipse.paho.mqttv5.common.MqttPersistenceException;
import org.eclipse.paho.mqttv5.common.packet.MqttPersistableWireMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.jspecify.annotations.Nullable;

/**
 * A Paho MQTT 5 {@link MqttClientPersistence} that keeps a client's in-flight and offline
 * messages in a {@link SessionStore}, under the client id it was created for (never one
 * the broker assigns). Use one instance per client; {@link #close()} keeps the data,
 * {@link #release()} gives the client id back when the client is gone.
 */
public class SessionStoreMqttv5ClientPersistence extends PahoPersistenceSupport implements MqttClientPersistence {

	/** The properties a PUBLISH may carry (MQTT 5, 3.3.2.3). */
	private static final Byte[] PUBLISH_PROPERTIES = { MqttProperties.PAYLOAD_FORMAT_INDICATOR_IDENTIFIER,
			MqttProperties.MESSAGE_EXPIRY_INTERVAL_IDENTIFIER, MqttProperties.TOPIC_ALIAS_IDENTIFIER,
			MqttProperties.RESPONSE_TOPIC_IDENTIFIER, MqttProperties.CORRELATION_DATA_IDENTIFIER,
			MqttProperties.USER_DEFINED_PAIR_IDENTIFIER, MqttProperties.CONTENT_TYPE_IDENTIFIER,
			MqttProperties.SUBSCRIPTION_IDENTIFIER };

	private final Map<Integer, String> outgoingTopicAliases = new ConcurrentHashMap<>();

	/**
	 * Creates a persistence with the default limit of pending messages.
	 * @param store the store
	 * @param clientId the client id the session is stored under
	 */
	public SessionStoreMqttv5ClientPersistence(SessionStore store, String clientId) {
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
	public SessionStoreMqttv5ClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit,
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
	 * sent, when it carries no message expiry interval of its own; absent to keep it
	 * until it is sent
	 */
	public SessionStoreMqttv5ClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit,
			@Nullable SessionLease lease, SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl) {
		super(store, clientId, true, limit, lease, listener, offlineMessageTtl, (ex) -> ex instanceof MqttException mqtt
				&& mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT);
	}

	/**
	 * Lets this persistence take messages whose expiry passed out of the client's offline
	 * buffer at the start of each connect attempt, and give those it keeps what remains
	 * of their message expiry interval. Without it, expired messages are dropped only
	 * when a client is created on the stored session.
	 * @param client the client this persistence was created for
	 */
	public void setClient(MqttAsyncClient client) {
		this.sweep.attach(new Mqttv5OfflineBuffer(client));
	}

	@Override
	public void open(String clientId) throws MqttPersistenceException {
		run(this::openSession);
	}

	@Override
	public void close() throws MqttPersistenceException {
		run(this.persistence::close);
	}

	@Override
	public void put(String key, MqttPersistable persistable) throws MqttPersistenceException {
		if (!key.startsWith("sb-")) {
			byte[] header = header(key, persistable);
			byte[] payload = payload(persistable);
			// Paho 5 delivers a received message as a new message object on the payload
			// array of the packet stored
			Object identity = (persistable instanceof MqttPublish publish) ? publish.getPayload() : null;
			run(() -> store(key, header, payload, identity));
			return;
		}
		try {
			// Paho 5 logs and ignores a failure to persist a buffered message, then
			// buffers it in memory and reports it sent; an unchecked exception is the one
			// that reaches the publisher, with nothing buffered.
			store(key, header(key, persistable), payload(persistable), null);
		}
		catch (MqttPersistenceException | RuntimeException ex) {
			buffered(key, null);
			throw ex;
		}
		buffered(key, (persistable instanceof MqttPublish publish) ? publish.getProperties() : persistable);
	}

	private static byte[] payload(MqttPersistable persistable) throws MqttPersistenceException {
		return slice(persistable.getPayloadBytes(), persistable.getPayloadOffset(), persistable.getPayloadLength());
	}

	private byte[] header(String key, MqttPersistable persistable) throws MqttPersistenceException {
		if (persistable instanceof MqttPublish publish && !key.startsWith("r-")) {
			return headerWithoutTopicAlias(key, publish);
		}
		// Paho's own packets encode their header anew on every call, and it is all of
		// the array: asked once
		return (persistable instanceof MqttPersistableWireMessage) ? persistable.getHeaderBytes()
				: slice(persistable.getHeaderBytes(), persistable.getHeaderOffset(), persistable.getHeaderLength());
	}

	@Override
	public MqttPersistable get(String key) throws MqttPersistenceException {
		PendingMessage sent;
		try {
			sent = read(key);
		}
		catch (RuntimeException ex) {
			throw new MqttPersistenceException(ex);
		}
		return new StoredPacket(this.codec.encodeHeader(sent), sent.payload());
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

	/**
	 * The header of a publish with its topic in full and no topic alias. Paho replaces
	 * the topic of an outgoing publish with an alias once the broker allows aliases; an
	 * alias means nothing on the next connection, so the stored packet must carry the
	 * topic itself. The first publish under an alias names its topic, which is remembered
	 * here for the ones that follow.
	 */
	private byte[] headerWithoutTopicAlias(String key, MqttPublish publish) throws MqttPersistenceException {
		try {
			Integer alias = publish.getProperties().getTopicAlias();
			String topic = publish.getTopicName();
			if (alias == null) {
				return publish.getHeader();
			}
			if (topic != null && !topic.isEmpty()) {
				this.outgoingTopicAliases.put(alias, topic);
			}
			else {
				topic = this.outgoingTopicAliases.get(alias);
				if (topic == null) {
					throw new IllegalStateException("Paho sent the message under key " + key + " with topic alias "
							+ alias + " whose topic it never named; it cannot be stored for resending after a restart");
				}
			}
			MqttProperties properties = new MqttProperties(PUBLISH_PROPERTIES);
			properties.decodeProperties(
					new DataInputStream(new ByteArrayInputStream(publish.getProperties().encodeProperties())));
			properties.setTopicAlias(null);
			MqttPublish withTopic = new MqttPublish(topic, publish.getMessage(), properties);
			withTopic.setMessageId(publish.getMessageId());
			withTopic.setDuplicate(publish.isDuplicate());
			return withTopic.getHeader();
		}
		catch (MqttException | IOException | RuntimeException ex) {
			throw new MqttPersistenceException(ex);
		}
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
