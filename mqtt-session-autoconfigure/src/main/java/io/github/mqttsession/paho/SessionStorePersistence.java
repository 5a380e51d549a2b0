package io.github.mqttsession.paho;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.Enumeration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The logic shared by the MQTT 3.1.1 and MQTT 5 Paho persistences: Paho's keyed packets become pending messages of
 * one client id's session in a {@link SessionStore}.
 * <p>
 * Every {@link #put} is durable in the store before it returns, which is what lets Paho tell a publisher "sent".
 * The messages stored are also held here, by key, so that Paho's reads, its {@code containsKey} checks and its
 * removals of keys it never stored (it removes an offline-buffer key on every acknowledgement) cost no statement.
 * <p>
 * Paho opens and closes a persistence around every connection; this one claims its client id on the first open,
 * loads the session then, and keeps both until {@link #release()}. A second persistence for a client id that is
 * claimed in this process is refused.
 */
final class SessionStorePersistence {

	private static final Log logger = LogFactory.getLog(SessionStorePersistence.class);

	/** Client ids claimed in this process, per store: two clients on one store and client id share one session. */
	private static final Map<Claim, SessionStorePersistence> claimed = new ConcurrentHashMap<>();

	private final SessionStore store;

	private final String clientId;

	private final PahoPacketCodec codec;

	private final PendingMessageLimit limit;

	private final SessionPersistenceListener listener;

	private final SessionLease lease;

	private final Map<String, PendingMessage> messages = new ConcurrentHashMap<>();

	/** Keys of messages buffered while offline, oldest first: the candidates of {@code drop-oldest}. */
	private final ConcurrentLinkedDeque<String> bufferedKeys = new ConcurrentLinkedDeque<>();

	/** Buffered messages whose send Paho undid, oldest first: they come back as publishes with new packet ids. */
	private final Set<String> undoneBufferedKeys = Collections.synchronizedSet(new LinkedHashSet<>());

	private final Object capacityLock = new Object();

	private int reservations;

	private volatile boolean loaded;

	private volatile ScheduledExecutorService leaseRenewal;

	private volatile int restoredPacketId;

	private volatile int lastPacketId;

	SessionStorePersistence(SessionStore store, String clientId, boolean mqtt5, PendingMessageLimit limit,
			SessionLease lease, SessionPersistenceListener listener) {
		this.store = store;
		this.lease = lease;
		this.clientId = clientId;
		this.codec = new PahoPacketCodec(mqtt5);
		this.limit = limit;
		this.listener = listener;
	}

	String clientId() {
		return this.clientId;
	}

	PahoPacketCodec codec() {
		return this.codec;
	}

	/** Claims the client id and loads its session, the first time; later calls do nothing. */
	synchronized void open() {
		if (this.loaded) {
			return;
		}
		SessionStorePersistence owner = claimed.putIfAbsent(new Claim(this.store, this.clientId), this);
		if (owner != null && owner != this) {
			throw new IllegalStateException("Client id '" + this.clientId
					+ "' is already in use by another MQTT client in this process; two clients with one id make the"
					+ " broker disconnect them in turn, so give each client its own client id");
		}
		try {
			takeLease();
			Optional<MqttSession> session = this.store.load(this.clientId);
			this.messages.clear();
			this.bufferedKeys.clear();
			this.undoneBufferedKeys.clear();
			session.ifPresent((stored) -> {
				for (PendingMessage message : stored.pendingMessages()) {
					String key = PahoKey.of(message);
					this.messages.put(key, message);
					if (message.state() == PendingMessage.State.OFFLINE_BUFFERED) {
						this.bufferedKeys.add(key);
					}
				}
			});
			this.restoredPacketId = session.map(MqttSession::packetId).orElse(0);
			this.lastPacketId = this.restoredPacketId;
			this.loaded = true;
			this.listener.restored(this.clientId, this.messages.size());
		}
		catch (RuntimeException ex) {
			stopRenewingLease();
			claimed.remove(new Claim(this.store, this.clientId), this);
			throw ex;
		}
	}

	/**
	 * Takes the session's lease for this instance, waiting for another owner's live lease to run out when so
	 * configured, and keeps renewing it.
	 */
	private void takeLease() {
		if (this.lease == null) {
			return;
		}
		Optional<String> other;
		try {
			other = acquireLease();
		}
		catch (UnsupportedOperationException ex) {
			logger.info("The session store " + this.store.getClass().getName()
					+ " does not lease sessions; nothing stops a second instance with client id '" + this.clientId
					+ "' from sharing the session");
			return;
		}
		long pause = Math.max(100, Math.min(1000, this.lease.duration().toMillis() / 10));
		while (other.isPresent()) {
			if (!this.lease.waitForTakeover()) {
				throw new IllegalStateException("Client id '" + this.clientId + "' is in use by instance '" + other.get()
						+ "', which holds the lease on its session in the store; give each instance its own client id"
						+ " (mqtt.client.client-id), or set mqtt.session.lease.wait-for-takeover=true to take the session"
						+ " over once that instance has stopped and its lease has run out");
			}
			logger.info("Client id '" + this.clientId + "' is leased by instance '" + other.get()
					+ "'; waiting to take the session over");
			LockSupport.parkNanos(pause * 1_000_000);
			other = acquireLease();
		}
		ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "mqtt-session-lease-" + this.clientId);
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.max(1, this.lease.duration().toMillis() / 3);
		renewal.scheduleAtFixedRate(this::renewLease, period, period, TimeUnit.MILLISECONDS);
		this.leaseRenewal = renewal;
	}

	private Optional<String> acquireLease() {
		return this.store.acquireLease(this.clientId, this.lease.owner(), Instant.now().plus(this.lease.duration()));
	}

	private void renewLease() {
		try {
			acquireLease().ifPresent((other) -> logger.error("Instance '" + other + "' took over the session of client '"
					+ this.clientId + "' after this instance's lease ran out; stop one of them"));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not renew the lease on the session of client '" + this.clientId + "': " + ex.getMessage());
		}
	}

	private void stopRenewingLease() {
		ScheduledExecutorService renewal = this.leaseRenewal;
		this.leaseRenewal = null;
		if (renewal == null) {
			return;
		}
		renewal.shutdownNow();
		try {
			this.store.releaseLease(this.clientId, this.lease.owner());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not give up the lease on the session of client '" + this.clientId
					+ "'; it runs out by itself: " + ex.getMessage());
		}
	}

	/**
	 * Stores a packet durably.
	 * @param key Paho's key
	 * @param header the header bytes
	 * @param payload the payload bytes
	 */
	void put(String key, byte[] header, byte[] payload) {
		PahoKey parsed = PahoKey.parse(key);
		PendingMessage message = this.codec.decode(parsed, header, payload);
		boolean buffered = parsed.state() == PendingMessage.State.OFFLINE_BUFFERED;
		String resent = (parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH) ? undoneBufferedMessage(message) : null;
		boolean reserved = buffered && !this.messages.containsKey(key) && reserveRoom(message);
		try {
			if (resent != null) {
				PendingMessage previous = this.messages.get(resent);
				this.store.replacePendingMessage(this.clientId, previous.state(), previous.packetId(), message);
				this.messages.remove(resent);
				this.bufferedKeys.remove(resent);
				this.undoneBufferedKeys.remove(resent);
			}
			else {
				this.store.addPendingMessage(this.clientId, message);
			}
			if (this.messages.put(key, message) == null && buffered) {
				this.bufferedKeys.add(key);
			}
		}
		catch (RuntimeException ex) {
			markUndoneIfBuffered(parsed);
			throw ex;
		}
		finally {
			if (reserved) {
				synchronized (this.capacityLock) {
					this.reservations--;
				}
			}
		}
		if (parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH || buffered) {
			this.lastPacketId = parsed.packetId();
		}
		this.listener.persisted(this.clientId, message);
	}

	/**
	 * The key of a buffered message whose send Paho undid and now sends again under another packet id, if this
	 * publish is that message.
	 * <p>
	 * Paho sends a buffered message by storing it as an outbound publish and then removing its buffered record.
	 * When that send fails (the connection drops while it is stored), Paho removes the outbound record again and
	 * keeps the message in its memory buffer, with its buffered record still stored; it sends it later under a new
	 * packet id, and only ever removes the buffered record of that new id. Left alone, the old buffered record
	 * would be published again after a restart: a duplicate. The buffer drains oldest first, so the resend is the
	 * oldest undone message with the same topic, QoS, retain flag and payload; it takes the old record's place in
	 * one store operation.
	 */
	private String undoneBufferedMessage(PendingMessage message) {
		if (this.undoneBufferedKeys.isEmpty()
				|| this.messages.containsKey(PahoKey.of(PendingMessage.State.OFFLINE_BUFFERED, message.packetId()))) {
			return null;
		}
		synchronized (this.undoneBufferedKeys) {
			for (String key : this.undoneBufferedKeys) {
				PendingMessage candidate = this.messages.get(key);
				if (candidate != null && candidate.qos() == message.qos() && candidate.retained() == message.retained()
						&& candidate.topic().equals(message.topic())
						&& Arrays.equals(candidate.payload(), message.payload())) {
					return key;
				}
			}
		}
		return null;
	}

	private void markUndoneIfBuffered(PahoKey key) {
		if (key.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
			String buffered = PahoKey.of(PendingMessage.State.OFFLINE_BUFFERED, key.packetId());
			if (this.messages.containsKey(buffered)) {
				this.undoneBufferedKeys.add(buffered);
			}
		}
	}

	/**
	 * The message stored under a key.
	 * @param key Paho's key
	 * @return the message, or {@code null}
	 */
	PendingMessage get(String key) {
		return this.messages.get(key);
	}

	/**
	 * Removes a stored packet; a key that was never stored costs nothing.
	 * @param key Paho's key
	 */
	void remove(String key) {
		PendingMessage removed = this.messages.remove(key);
		if (removed == null) {
			return;
		}
		if (removed.state() == PendingMessage.State.OFFLINE_BUFFERED) {
			this.bufferedKeys.remove(key);
			this.undoneBufferedKeys.remove(key);
		}
		else {
			// An outbound record removed while its buffered record is still held: Paho undid the send (an
			// acknowledgement removes the buffered record right after, which clears the mark again).
			markUndoneIfBuffered(new PahoKey(removed.state(), removed.packetId()));
		}
		this.store.removePendingMessage(this.clientId, removed.state(), removed.packetId());
		this.listener.removed(this.clientId, removed.state(), removed.packetId());
	}

	Enumeration<String> keys() {
		return Collections.enumeration(this.messages.keySet());
	}

	boolean containsKey(String key) {
		return this.messages.containsKey(key);
	}

	/** Deletes the whole stored session: Paho clears on a clean-session connect. */
	void clear() {
		this.store.delete(this.clientId);
		this.messages.clear();
		this.bufferedKeys.clear();
		this.undoneBufferedKeys.clear();
		this.restoredPacketId = 0;
		this.lastPacketId = 0;
	}

	/** Records the last packet id used; Paho calls this around every connection. The data stays. */
	void close() {
		int packetId = this.lastPacketId;
		if (this.loaded && packetId != this.restoredPacketId) {
			this.store.setPacketId(this.clientId, packetId);
			this.restoredPacketId = packetId;
		}
	}

	/** Closes, and gives the client id back so that another client in this process may use it. */
	synchronized void release() {
		try {
			close();
		}
		finally {
			this.loaded = false;
			stopRenewingLease();
			claimed.remove(new Claim(this.store, this.clientId), this);
		}
	}

	/**
	 * Deals with a connect where the broker reports no session although this one holds messages in flight:
	 * publishes are sent again by Paho (with a warning here); releases are complete from the client's side, since
	 * the broker that would complete them forgot them, and are dropped.
	 */
	void brokerHasNoSession() {
		long publishes = this.messages.values().stream()
			.filter((message) -> message.state() == PendingMessage.State.OUTBOUND_PUBLISH
					|| message.state() == PendingMessage.State.OFFLINE_BUFFERED)
			.count();
		if (publishes > 0) {
			logger.warn("The broker has no session for client '" + this.clientId + "' although " + publishes
					+ " published messages are not acknowledged yet; they are published again");
		}
		for (Map.Entry<String, PendingMessage> entry : this.messages.entrySet()) {
			if (entry.getValue().state() == PendingMessage.State.OUTBOUND_PUBREL) {
				logger.info("The broker has no session for client '" + this.clientId + "': the QoS 2 release of packet id "
						+ entry.getValue().packetId() + " is complete from the client's side and is dropped");
				remove(entry.getKey());
			}
		}
	}

	/**
	 * The last packet id the session used when it was loaded.
	 * @return the packet id, 0 when none
	 */
	int restoredPacketId() {
		return this.restoredPacketId;
	}

	/**
	 * How many pending messages the session holds.
	 * @return the count
	 */
	int pendingMessageCount() {
		return this.messages.size();
	}

	/**
	 * Fails, as a publish beyond the cap would, when the session is full and the policy is to reject; lets a
	 * publisher learn it before Paho takes the message and a packet id for it.
	 * @param topic the topic of the message about to be published
	 */
	void checkRoom(String topic) {
		if (this.limit.overflow() == OverflowPolicy.REJECT) {
			synchronized (this.capacityLock) {
				if (this.messages.size() + this.reservations >= this.limit.maxPendingMessages()) {
					throw limitExceeded(topic);
				}
			}
		}
	}

	private boolean reserveRoom(PendingMessage message) {
		synchronized (this.capacityLock) {
			while (this.messages.size() + this.reservations >= this.limit.maxPendingMessages()) {
				String oldest = (this.limit.overflow() == OverflowPolicy.DROP_OLDEST) ? this.bufferedKeys.peekFirst()
						: null;
				if (oldest == null) {
					throw limitExceeded(message.topic());
				}
				dropOldest(oldest);
			}
			this.reservations++;
			return true;
		}
	}

	private PendingMessageLimitExceededException limitExceeded(String topic) {
		String policy = this.limit.overflow().name().toLowerCase(Locale.ROOT).replace('_', '-');
		String reason = (this.limit.overflow() == OverflowPolicy.DROP_OLDEST)
				? ", and every pending message is in flight, so none can be dropped" : "";
		return new PendingMessageLimitExceededException("Client '" + this.clientId + "' already holds "
				+ this.messages.size() + " pending messages, the most mqtt.session.max-pending-messages ("
				+ this.limit.maxPendingMessages() + ") allows; the message to '" + topic
				+ "' was not stored (mqtt.session.overflow=" + policy + reason + ")");
	}

	/** A client id in a store; stores compare by identity. */
	private record Claim(SessionStore store, String clientId) {
	}

	private void dropOldest(String key) {
		PendingMessage dropped = this.messages.remove(key);
		this.bufferedKeys.remove(key);
		this.undoneBufferedKeys.remove(key);
		if (dropped != null) {
			this.store.removePendingMessage(this.clientId, dropped.state(), dropped.packetId());
			logger.warn("Client '" + this.clientId + "' holds " + this.limit.maxPendingMessages()
					+ " pending messages (mqtt.session.max-pending-messages): dropped the oldest message never sent,"
					+ " packet id " + dropped.packetId() + " to '" + dropped.topic() + "' (mqtt.session.overflow=drop-oldest)");
			this.listener.droppedByOverflow(this.clientId, dropped);
		}
	}

}
