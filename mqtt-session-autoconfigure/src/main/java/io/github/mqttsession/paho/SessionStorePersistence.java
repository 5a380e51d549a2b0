package io.github.mqttsession.paho;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import io.github.mqttsession.persistence.ClientIdClaims;
import io.github.mqttsession.persistence.PendingMessageWriter;
import io.github.mqttsession.persistence.PendingWrite;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The logic shared by the MQTT 3.1.1 and MQTT 5 Paho persistences: Paho's keyed packets become pending messages of
 * one client id's session in a {@link SessionStore}.
 * <p>
 * Every {@link #put} is durable in the store before it returns, which is what lets Paho tell a publisher "sent".
 * The messages stored are also {@linkplain HeldMessages held} here, by key. This class coordinates the parts that
 * keep a session: the claim of its client id and its lease, its restore, the held messages and their writes, which
 * change in one order through {@link OrderedWrites}, and the cap on pending messages.
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

	private final SessionPersistenceListener listener;

	private final SessionLeaseHolder lease;

	private final OfflineExpiry expiry;

	private final SessionRestore restore;

	private final HeldMessages messages;

	private final PendingMessageCap cap;

	private final PendingMessageWriter writer;

	private final OrderedWrites writes;

	/** Counts the outbound publishes held here, which fill the client's in-flight window. */
	private final SendWindow window;

	private final DeferredWrites deferredWrites;

	/** Writes that wait until this instance owns the session, run at every open once the lease is taken. */
	private final List<Runnable> ownedWrites = new CopyOnWriteArrayList<>();

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
		this.listener = listener;
		this.writer = new PendingMessageWriter(store, clientId);
		this.expiry = new OfflineExpiry(clientId, mqtt5, offlineMessageTtl, Clock.systemUTC(), listener);
		this.restore = new SessionRestore(store, clientId, this.expiry);
		this.window = new SendWindow(clientId, refusedForFullWindow);
		this.messages = new HeldMessages(this.window);
		this.deferredWrites = new DeferredWrites(this.window, this.writer.gathers());
		this.writes = new OrderedWrites(clientId, this.messages, this.writer, listener);
		this.cap = new PendingMessageCap(clientId, limit, this.messages, this::dropOldest);
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

	SessionLeaseHolder lease() {
		return this.lease;
	}

	/**
	 * Runs a write that must not touch the store before this instance owns the session: each time an open claims
	 * the session, once its lease is taken, and now when the session is open already. A write that fails fails the
	 * open.
	 * @param write the write
	 */
	synchronized void whenOwned(Runnable write) {
		this.ownedWrites.add(write);
		if (this.loaded) {
			write.run();
		}
	}

	/** Claims the client id and loads its session, the first time; later calls do nothing. */
	synchronized void open() {
		if (this.loaded) {
			return;
		}
		ClientIdClaims.claim(this.store, this.clientId, this);
		try {
			this.lease.take();
			this.ownedWrites.forEach(Runnable::run);
			SessionRestore.Loaded session = this.restore.load();
			this.messages.restore(session.pendingMessages());
			this.restoredPacketId = session.packetId();
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
	 * Stores a packet durably: returns once it is written, or, inside {@link #publishDurably}, leaves the wait to
	 * that method, outside Paho's locks (for all but QoS 2 publishes, which must be durable before they are sent).
	 * @param key Paho's key
	 * @param header the header bytes
	 * @param payload the payload bytes
	 */
	void put(String key, byte[] header, byte[] payload) {
		PahoKey parsed = PahoKey.parse(key);
		PendingMessage message = this.expiry.stamp(this.codec.decode(parsed, header, payload));
		boolean publish = parsed.state() == PendingMessage.State.OUTBOUND_PUBLISH;
		boolean buffered = parsed.state() == PendingMessage.State.OFFLINE_BUFFERED;
		boolean reserved = buffered && !this.messages.contains(key);
		if (reserved) {
			this.cap.reserve(message.topic());
		}
		Runnable written = () -> this.listener.persisted(this.clientId, message);
		OrderedWrites.Stored stored;
		try {
			stored = this.writes.add(key, parsed, message, written);
		}
		finally {
			if (reserved) {
				this.cap.endReservation();
			}
		}
		if (publish || buffered) {
			this.lastPacketId = parsed.packetId();
		}
		boolean qos2Publish = publish && message.qos() == 2;
		if (!qos2Publish && this.deferredWrites.defer(stored.write())) {
			return;
		}
		if (stored.coveredByBufferedRecord() && !qos2Publish) {
			// Paho sends a buffered QoS 1 message: its buffered record stays stored until this write is, since
			// the writer keeps order, so the message is durable already and the drain need not wait.
			return;
		}
		// A QoS 2 publish is durable before Paho may send it: a broker keeps the packet id of a QoS 2 publish until
		// PUBREL, so an id it saw from a publish the client then lost in a crash would swallow the next message
		// sent under that id.
		try {
			stored.write().await();
		}
		catch (RuntimeException ex) {
			this.messages.forgetUnwritten(key, stored.held());
			this.messages.markUndoneIfBuffered(parsed);
			throw ex;
		}
	}

	/**
	 * Runs a publish whose writes are waited for outside Paho's locks, once Paho returns.
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 * @see DeferredWrites
	 */
	<T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		return this.deferredWrites.publishDurably(publish);
	}

	/**
	 * The message stored under a key.
	 * @param key Paho's key
	 * @return the message, or null
	 */
	@Nullable PendingMessage get(String key) {
		HeldMessages.Held held = this.messages.get(key);
		if (held == null) {
			return null;
		}
		return (held.buffered() != null) ? held.buffered() : this.restore.whole(key);
	}

	/**
	 * Removes a stored packet; a key that was never stored costs nothing.
	 * @param key Paho's key
	 */
	void remove(String key) {
		PendingWrite write = this.writes.remove(key);
		// An acknowledged publish needs no commit of its own: written late, or lost in a crash, it is at worst sent
		// again. An inbound QoS 2 message is only removed before PUBCOMP goes out; that waits, as it did before.
		if (write != null && (!this.writer.gathers()
				|| PahoKey.parse(key).state() == PendingMessage.State.INBOUND_PUBLISH)) {
			write.await();
		}
	}

	Enumeration<String> keys() {
		return this.messages.keys();
	}

	boolean containsKey(String key) {
		return this.messages.contains(key);
	}

	/** Deletes the whole stored session: Paho clears on a clean-session connect. */
	void clear() {
		this.writer.flush();
		this.store.delete(this.clientId);
		this.restore.done();
		this.writes.clear();
		this.restoredPacketId = 0;
		this.lastPacketId = 0;
	}

	/** Records the last packet id used; Paho calls this around every connection. The data stays. */
	void close() {
		this.writer.flush();
		this.restore.done();
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
		int publishes = this.messages.keysIn(PendingMessage.State.OUTBOUND_PUBLISH).size();
		if (publishes > 0) {
			logger.warn("The broker has no session for client '" + this.clientId + "' although " + publishes
					+ " published messages are not acknowledged yet; they are published again");
		}
		for (String key : this.messages.keysIn(PendingMessage.State.OUTBOUND_PUBREL)) {
			logger.info("The broker has no session for client '" + this.clientId + "': the QoS 2 release of packet id "
					+ PahoKey.parse(key).packetId() + " is complete from the client's side and is dropped");
			remove(key);
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
	 * Fails, as a publish beyond the cap would, when the session is full and the policy is to reject.
	 * @param topic the topic of the message about to be published
	 */
	void checkRoom(String topic) {
		this.cap.checkRoom(topic);
	}

	/**
	 * Drops buffered messages whose expiry has passed, in one store write at most; a key no longer held, or of a
	 * message that has not expired, is left alone.
	 * @param keys Paho's keys of buffered messages
	 * @return the keys dropped
	 */
	List<String> dropExpired(List<String> keys) {
		Instant now = this.expiry.now();
		List<PendingMessage> dropped = this.writes.dropExpired(keys, now);
		this.expiry.dropped(dropped, now);
		return dropped.stream().map(PahoKey::of).toList();
	}

	/** Drops the oldest buffered message to make room under {@code drop-oldest}; the cap calls it. */
	private void dropOldest(String key) {
		PendingMessage dropped = this.writes.dropBuffered(key);
		if (dropped != null) {
			logger.warn("Client '" + this.clientId + "' holds " + this.cap.maxPendingMessages()
					+ " pending messages (mqtt.session.max-pending-messages): dropped the oldest message never sent,"
					+ " packet id " + dropped.packetId() + " to '" + dropped.topic()
					+ "' (mqtt.session.overflow=drop-oldest)");
			this.listener.droppedByOverflow(this.clientId, dropped);
		}
	}

}
