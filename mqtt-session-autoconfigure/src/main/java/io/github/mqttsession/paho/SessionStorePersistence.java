package io.github.mqttsession.paho;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Predicate;

import io.github.mqttsession.persistence.ClientIdClaims;
import io.github.mqttsession.persistence.PendingMessageWriter;
import io.github.mqttsession.persistence.PendingWrite;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

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

	private final SessionStore store;

	private final String clientId;

	private final PahoPacketCodec codec;

	private final PendingMessageLimit limit;

	private final SessionPersistenceListener listener;

	private final SessionLeaseHolder lease;

	private final OfflineExpiry expiry;

	/** Every stored message by Paho's key; only its identity, and the whole message while it is offline-buffered. */
	private final Map<String, Held> messages = new ConcurrentHashMap<>();

	/**
	 * The whole messages of the loaded session, by key, until Paho has read them back: it does so once, when it
	 * creates its client, and then holds its own copies. Dropped on the next {@link #close()}.
	 */
	private volatile Map<String, PendingMessage> restoring;

	private final PendingMessageWriter writer;

	/** Counts the outbound publishes held here, which fill the client's in-flight window. */
	private final SendWindow window;

	/** Per thread, inside {@link #publishDurably}: the writes of its publishes, waited for once Paho returns. */
	private final ThreadLocal<List<PendingWrite>> deferredWrites = new ThreadLocal<>();

	/** Keys of messages buffered while offline, oldest first: the candidates of {@code drop-oldest}. */
	private final ConcurrentLinkedDeque<String> bufferedKeys = new ConcurrentLinkedDeque<>();

	/** Buffered messages whose send Paho undid, oldest first: they come back as publishes with new packet ids. */
	private final Set<String> undoneBufferedKeys = Collections.synchronizedSet(new LinkedHashSet<>());

	private final Object capacityLock = new Object();

	/** Held while the stored keys change and the matching write is queued, so that both happen in one order. */
	private final Object writeOrder = new Object();

	private int reservations;

	private volatile boolean loaded;


	private volatile int restoredPacketId;

	private volatile int lastPacketId;

	SessionStorePersistence(SessionStore store, String clientId, boolean mqtt5, PendingMessageLimit limit,
			SessionLease lease, SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl,
			Predicate<Throwable> refusedForFullWindow) {
		this.store = store;
		this.lease = new SessionLeaseHolder(store, clientId, lease);
		this.clientId = clientId;
		this.codec = new PahoPacketCodec(mqtt5);
		this.limit = limit;
		this.listener = listener;
		this.writer = new PendingMessageWriter(store, clientId);
		this.expiry = new OfflineExpiry(clientId, mqtt5, offlineMessageTtl, Clock.systemUTC(), listener);
		this.window = new SendWindow(clientId, refusedForFullWindow);
	}

	SendWindow window() {
		return this.window;
	}

	String clientId() {
		return this.clientId;
	}

	PahoPacketCodec codec() {
		return this.codec;
	}

	OfflineExpiry expiry() {
		return this.expiry;
	}

	/** Claims the client id and loads its session, the first time; later calls do nothing. */
	synchronized void open() {
		if (this.loaded) {
			return;
		}
		ClientIdClaims.claim(this.store, this.clientId, this);
		try {
			this.lease.take();
			Optional<MqttSession> session = this.store.load(this.clientId);
			this.messages.clear();
			this.bufferedKeys.clear();
			this.undoneBufferedKeys.clear();
			Map<String, PendingMessage> whole = new HashMap<>();
			session.ifPresent((stored) -> {
				for (PendingMessage message : withoutStaleBufferedRecords(stored.pendingMessages())) {
					String key = PahoKey.of(message);
					this.messages.put(key, Held.of(message));
					whole.put(key, message);
					if (message.state() == PendingMessage.State.OFFLINE_BUFFERED) {
						this.bufferedKeys.add(key);
					}
				}
			});
			this.restoring = whole;
			this.window.reset(countOutboundPublishes());
			this.restoredPacketId = session.map(MqttSession::packetId).orElse(0);
			this.lastPacketId = this.restoredPacketId;
			this.writer.start();
			this.loaded = true;
			this.listener.restored(this.clientId, this.messages.size());
		}
		catch (RuntimeException ex) {
			this.lease.release();
			ClientIdClaims.release(this.store, this.clientId, this);
			throw ex;
		}
	}

	/**
	 * The stored messages less buffered records whose send had begun: a crash can stop Paho between storing the
	 * publish of a buffered message and removing its buffered record. Restored too, the buffered record would take
	 * the place of the publish or its release in Paho's tables and the message would be published again; it is
	 * deleted instead. Buffered messages whose expiry passed while the client was away are deleted with them.
	 */
	private List<PendingMessage> withoutStaleBufferedRecords(List<PendingMessage> stored) {
		Set<Integer> sending = new HashSet<>();
		for (PendingMessage message : stored) {
			if (message.state() == PendingMessage.State.OUTBOUND_PUBLISH
					|| message.state() == PendingMessage.State.OUTBOUND_PUBREL) {
				sending.add(message.packetId());
			}
		}
		List<PendingMessage> kept = new ArrayList<>(stored.size());
		List<PendingMessageChange> stale = new ArrayList<>();
		Instant now = this.expiry.now();
		List<PendingMessage> expired = new ArrayList<>();
		for (PendingMessage message : stored) {
			if (message.state() == PendingMessage.State.OFFLINE_BUFFERED && sending.contains(message.packetId())) {
				stale.add(new PendingMessageChange.Removed(message.state(), message.packetId()));
			}
			else if (OfflineExpiry.isExpired(message, now)) {
				stale.add(new PendingMessageChange.Removed(message.state(), message.packetId()));
				expired.add(message);
			}
			else {
				kept.add(message);
			}
		}
		if (!stale.isEmpty()) {
			this.store.applyPendingMessageChanges(this.clientId, stale);
			if (stale.size() > expired.size()) {
				logger.info("Client '" + this.clientId + "': deleted " + (stale.size() - expired.size())
						+ " buffered record(s) whose publish had already been stored when the client stopped");
			}
			this.expiry.dropped(expired, now);
		}
		return kept;
	}

	/**
	 * Stores a packet durably: returns once it is written, or, inside {@link #publishDurably}, leaves the wait to
	 * that method, outside Paho's locks (for all but QoS 2 publishes, which must be durable before they are sent).
	 * @param key Paho's key
	 * @param header the header bytes
	 * @param payload the payload bytes
	 */
	void put(String key, byte[] header, byte[] payload) {
		PahoKey parsed = PahoKey.parse(key);
		PendingMessage message = this.expiry.stamp(this.codec.decode(parsed, header, payload));
		boolean buffered = parsed.state() == PendingMessage.State.OFFLINE_BUFFERED;
		boolean reserved = buffered && !this.messages.containsKey(key) && reserveRoom(message);
		Runnable written = () -> this.listener.persisted(this.clientId, message);
		Held held = Held.of(message);
		PendingWrite write;
		boolean coveredByBufferedRecord;
		try {
			synchronized (this.writeOrder) {
				String resent = (parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH)
						? undoneBufferedMessage(message) : null;
				coveredByBufferedRecord = parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH && (resent != null
						|| this.messages.containsKey(PahoKey.of(PendingMessage.State.OFFLINE_BUFFERED, parsed.packetId())));
				if (resent != null) {
					Held previous = this.messages.remove(resent);
					this.bufferedKeys.remove(resent);
					this.undoneBufferedKeys.remove(resent);
					write = this.writer.replace(resent, previous.state(), previous.packetId(), key, message, written);
				}
				else {
					write = this.writer.add(key, message, !this.messages.containsKey(key), written);
				}
				if (this.messages.put(key, held) == null) {
					if (buffered) {
						this.bufferedKeys.add(key);
					}
					else if (parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
						this.window.added();
					}
				}
			}
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
		boolean qos2Publish = parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH && message.qos() == 2;
		List<PendingWrite> deferred = this.deferredWrites.get();
		if (deferred != null && !qos2Publish) {
			deferred.add(write);
			return;
		}
		if (coveredByBufferedRecord && !qos2Publish) {
			// Paho sends a buffered QoS 1 message: its buffered record stays stored until this write is, since
			// the writer keeps order, so the message is durable already and the drain need not wait.
			return;
		}
		// A QoS 2 publish is durable before Paho may send it: a broker keeps the packet id of a QoS 2 publish until
		// PUBREL, so an id it saw from a publish the client then lost in a crash would swallow the next message
		// sent under that id.
		try {
			write.await();
		}
		catch (RuntimeException ex) {
			forgetUnwritten(key, held);
			markUndoneIfBuffered(parsed);
			throw ex;
		}
	}

	private void forgetUnwritten(String key, Held held) {
		if (this.messages.remove(key, held)) {
			this.bufferedKeys.remove(key);
			if (held.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
				this.window.removed();
			}
		}
	}

	private int countOutboundPublishes() {
		int count = 0;
		for (Held held : this.messages.values()) {
			if (held.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Runs a publish whose writes wait outside Paho's locks: Paho stores a message while it holds the lock its
	 * sender thread needs, so waiting there for a durable write would let only one message through per commit.
	 * Inside this method the persistence queues the write and returns; this method then waits until every message
	 * the publish stored is durable (or acknowledged by the broker, which makes its write needless), so many
	 * publishers share a commit and none returns before its message is safe.
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 */
	<T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		if (this.deferredWrites.get() != null) {
			return publish.publish();
		}
		if (!this.writer.gathers()) {
			return this.window.send(publish);
		}
		List<PendingWrite> writes = new ArrayList<>(1);
		this.deferredWrites.set(writes);
		T result;
		try {
			result = this.window.send(publish);
		}
		finally {
			this.deferredWrites.remove();
		}
		for (PendingWrite write : writes) {
			write.await();
		}
		return result;
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
				Held held = this.messages.get(key);
				PendingMessage candidate = (held != null) ? held.buffered() : null;
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
		Held held = this.messages.get(key);
		if (held == null) {
			return null;
		}
		if (held.buffered() != null) {
			return held.buffered();
		}
		Map<String, PendingMessage> whole = this.restoring;
		if (whole == null || !whole.containsKey(key)) {
			// Paho reads messages back only when it creates a client; a second client on this persistence without
			// a release in between reads what was stored since: load the session once more.
			whole = new HashMap<>();
			for (PendingMessage message : this.store.load(this.clientId).map(MqttSession::pendingMessages)
				.orElse(List.of())) {
				whole.put(PahoKey.of(message), message);
			}
			this.restoring = whole;
		}
		return whole.get(key);
	}

	/**
	 * Removes a stored packet; a key that was never stored costs nothing.
	 * @param key Paho's key
	 */
	void remove(String key) {
		PendingWrite write;
		synchronized (this.writeOrder) {
			// Map and queue change together: a removal racing another (the drain thread's removal of a buffered
			// record against the callback thread's PUBCOMP) must reach the queue in the order the map saw it.
			write = removeInOrder(key);
		}
		// An acknowledged publish needs no commit of its own: written late, or lost in a crash, it is at worst sent
		// again. An inbound QoS 2 message is only removed before PUBCOMP goes out; that waits, as it did before.
		if (write != null && (!this.writer.gathers()
				|| PahoKey.parse(key).state() == PendingMessage.State.INBOUND_PUBLISH)) {
			write.await();
		}
	}

	private PendingWrite removeInOrder(String key) {
		Held removed = this.messages.remove(key);
		if (removed == null) {
			if (key.startsWith("s-")) {
				// Paho undoes a send that failed before the publish was stored (a full in-flight window, say) by
				// removing its key; a buffered message whose send was undone so comes back under a new packet id.
				markUndoneIfBuffered(PahoKey.parse(key));
			}
			return null;
		}
		String bufferedKey = PahoKey.of(PendingMessage.State.OFFLINE_BUFFERED, removed.packetId());
		Held buffered = null;
		if (removed.state() == PendingMessage.State.OFFLINE_BUFFERED) {
			this.bufferedKeys.remove(key);
			this.undoneBufferedKeys.remove(key);
		}
		else if (completesQos2Send(removed) && this.messages.containsKey(bufferedKey)) {
			// PUBCOMP for a message that was buffered: its buffered record goes in the same write, so that no crash
			// can leave it behind alone, to be published a second time after a restart.
			buffered = this.messages.remove(bufferedKey);
			this.bufferedKeys.remove(bufferedKey);
			this.undoneBufferedKeys.remove(bufferedKey);
		}
		else {
			// An outbound record removed while its buffered record is still held: Paho undid the send (an
			// acknowledgement removes the buffered record right after, which clears the mark again).
			markUndoneIfBuffered(new PahoKey(removed.state(), removed.packetId()));
		}
		if (removed.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
			this.window.removed();
		}
		// Heard when the session lets go of the message, as the pending count drops, not when the write lands.
		this.listener.removed(this.clientId, removed.state(), removed.packetId());
		if (buffered != null) {
			this.listener.removed(this.clientId, PendingMessage.State.OFFLINE_BUFFERED, removed.packetId());
			return this.writer.removeBoth(key, removed.state(), bufferedKey, removed.packetId());
		}
		return this.writer.remove(key, removed.state(), removed.packetId());
	}

	/** Whether a removal is part of PUBCOMP: of the release, or of the publish while its release is held. */
	private boolean completesQos2Send(Held removed) {
		return removed.state() == PendingMessage.State.OUTBOUND_PUBREL
				|| (removed.state() == PendingMessage.State.OUTBOUND_PUBLISH && this.messages
					.containsKey(PahoKey.of(PendingMessage.State.OUTBOUND_PUBREL, removed.packetId())));
	}

	Enumeration<String> keys() {
		return Collections.enumeration(this.messages.keySet());
	}

	boolean containsKey(String key) {
		return this.messages.containsKey(key);
	}

	/** Deletes the whole stored session: Paho clears on a clean-session connect. */
	void clear() {
		this.writer.flush();
		this.store.delete(this.clientId);
		this.restoring = null;
		this.messages.clear();
		this.window.reset(0);
		this.bufferedKeys.clear();
		this.undoneBufferedKeys.clear();
		this.restoredPacketId = 0;
		this.lastPacketId = 0;
	}

	/** Records the last packet id used; Paho calls this around every connection. The data stays. */
	void close() {
		this.writer.flush();
		this.restoring = null;
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
			this.writer.stop();
			this.loaded = false;
			this.lease.release();
			ClientIdClaims.release(this.store, this.clientId, this);
		}
	}

	/**
	 * Deals with a connect where the broker reports no session although this one holds messages in flight:
	 * publishes are sent again by Paho (with a warning here); releases are complete from the client's side, since
	 * the broker that would complete them forgot them, and are dropped.
	 */
	void brokerHasNoSession() {
		// Buffered messages were never sent: the broker has nothing of them to lose
		long publishes = this.messages.values().stream()
			.filter((message) -> message.state() == PendingMessage.State.OUTBOUND_PUBLISH)
			.count();
		if (publishes > 0) {
			logger.warn("The broker has no session for client '" + this.clientId + "' although " + publishes
					+ " published messages are not acknowledged yet; they are published again");
		}
		for (Map.Entry<String, Held> entry : this.messages.entrySet()) {
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

	/**
	 * What is held of a stored message: its identity, and the whole message only while it is offline-buffered
	 * (drop-oldest reports it, and an undone send is recognised by its content). Paho holds the rest itself.
	 */
	private record Held(PendingMessage.State state, int packetId, PendingMessage buffered) {

		static Held of(PendingMessage message) {
			return new Held(message.state(), message.packetId(),
					(message.state() == PendingMessage.State.OFFLINE_BUFFERED) ? message : null);
		}

	}

	/**
	 * Drops buffered messages whose expiry has passed, in one store write at most; a key no longer held, or of a
	 * message that has not expired, is left alone.
	 * @param keys Paho's keys of buffered messages
	 * @return the keys dropped
	 */
	List<String> dropExpired(List<String> keys) {
		Instant now = this.expiry.now();
		List<String> droppedKeys = new ArrayList<>();
		List<PendingMessage> dropped = new ArrayList<>();
		List<PendingWrite> writes = new ArrayList<>();
		synchronized (this.writeOrder) {
			for (String key : keys) {
				Held held = this.messages.get(key);
				if (held != null && held.buffered() != null && OfflineExpiry.isExpired(held.buffered(), now)) {
					writes.add(discardBuffered(key));
					droppedKeys.add(key);
					dropped.add(held.buffered());
				}
			}
		}
		for (PendingWrite write : writes) {
			write.await();
		}
		this.expiry.dropped(dropped, now);
		return droppedKeys;
	}

	/** Forgets a buffered message and queues its deletion, holding {@link #writeOrder}; null when not held. */
	private @Nullable PendingWrite discardBuffered(String key) {
		Held held = this.messages.remove(key);
		this.bufferedKeys.remove(key);
		this.undoneBufferedKeys.remove(key);
		return (held != null) ? this.writer.remove(key, held.state(), held.packetId()) : null;
	}

	private void dropOldest(String key) {
		Held held;
		PendingWrite write = null;
		synchronized (this.writeOrder) {
			held = this.messages.get(key);
			write = discardBuffered(key);
		}
		if (held != null) {
			PendingMessage dropped = held.buffered();
			write.await();
			logger.warn("Client '" + this.clientId + "' holds " + this.limit.maxPendingMessages()
					+ " pending messages (mqtt.session.max-pending-messages): dropped the oldest message never sent,"
					+ " packet id " + dropped.packetId() + " to '" + dropped.topic() + "' (mqtt.session.overflow=drop-oldest)");
			this.listener.droppedByOverflow(this.clientId, dropped);
		}
	}

}
