package io.github.mqttsession.paho;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.common.MqttPersistable;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttPersistenceException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * A Paho MQTT 5 {@link MqttClientPersistence} that keeps a client's in-flight and offline messages in a
 * {@link SessionStore}, under the client id it was created for (never one the broker assigns). Use one instance
 * per client; {@link #close()} keeps the data, {@link #release()} gives the client id back when the client is
 * gone.
 */
public class SessionStoreMqttv5ClientPersistence implements MqttClientPersistence {

	private final SessionStorePersistence persistence;

	private final OfflineBufferSweep sweep;

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
	 * @param lease the lease that makes this client the session's only owner among instances, or {@code null}
	 * @param listener hears what is persisted, removed and dropped
	 */
	public SessionStoreMqttv5ClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit, SessionLease lease,
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
	 * @param offlineMessageTtl how long a message published while offline may wait to be sent, when it carries no
	 * message expiry interval of its own; {@code null} to keep it until it is sent
	 */
	public SessionStoreMqttv5ClientPersistence(SessionStore store, String clientId, PendingMessageLimit limit, SessionLease lease,
			SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl) {
		this.persistence = new SessionStorePersistence(store, clientId, true, limit, lease, listener, offlineMessageTtl,
				(ex) -> ex instanceof MqttException mqtt
						&& mqtt.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT);
		this.sweep = new OfflineBufferSweep(this.persistence);
	}

	/**
	 * Lets this persistence take messages whose expiry passed out of the client's offline buffer at the start of
	 * each connect attempt, and give those it keeps what remains of their message expiry interval. Without it,
	 * expired messages are dropped only when a client is created on the stored session.
	 * @param client the client this persistence was created for
	 */
	public void setClient(MqttAsyncClient client) {
		this.sweep.attach(new Mqttv5OfflineBuffer(client));
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
	public void open(String clientId) throws MqttPersistenceException {
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
		if (!key.startsWith("sb-")) {
			byte[] header = header(key, persistable);
			byte[] payload = payload(persistable);
			run(() -> this.persistence.put(key, header, payload));
			return;
		}
		try {
			// Paho 5 logs and ignores a failure to persist a buffered message, then buffers it in memory and reports
			// it sent; an unchecked exception is the one that reaches the publisher, with nothing buffered.
			this.persistence.put(key, header(key, persistable), payload(persistable));
		}
		catch (MqttPersistenceException | RuntimeException ex) {
			this.sweep.buffered(key, null);
			throw ex;
		}
		this.sweep.buffered(key, (persistable instanceof MqttPublish publish) ? publish.getProperties() : persistable);
	}

	private static byte[] payload(MqttPersistable persistable) throws MqttPersistenceException {
		return slice(persistable.getPayloadBytes(), persistable.getPayloadOffset(), persistable.getPayloadLength());
	}

	private byte[] header(String key, MqttPersistable persistable) throws MqttPersistenceException {
		return (persistable instanceof MqttPublish publish && !key.startsWith("r-"))
				? headerWithoutTopicAlias(key, publish)
				: slice(persistable.getHeaderBytes(), persistable.getHeaderOffset(), persistable.getHeaderLength());
	}

	@Override
	public MqttPersistable get(String key) throws MqttPersistenceException {
		PendingMessage message = this.persistence.get(key);
		if (message == null) {
			throw new MqttPersistenceException(new IllegalStateException(
					"No message is stored under key " + key + " for client '" + this.persistence.clientId() + "'"));
		}
		PendingMessage sent = this.persistence.expiry().forSending(message);
		return new StoredPacket(this.persistence.codec().encodeHeader(sent), sent.payload());
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

	/**
	 * The header of a publish with its topic in full and no topic alias. Paho replaces the topic of an outgoing
	 * publish with an alias once the broker allows aliases; an alias means nothing on the next connection, so the
	 * stored packet must carry the topic itself. The first publish under an alias names its topic, which is
	 * remembered here for the ones that follow.
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
					throw new IllegalStateException("Paho sent the message under key " + key + " with topic alias " + alias
							+ " whose topic it never named; it cannot be stored for resending after a restart");
				}
			}
			MqttProperties properties = new MqttProperties(PUBLISH_PROPERTIES);
			properties.decodeProperties(new DataInputStream(new ByteArrayInputStream(publish.getProperties().encodeProperties())));
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
