package io.github.mqttsession.persistence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * One client id's session as the MQTT client keeps it: the pending messages the client
 * stores, removes and reads back, kept in a {@link SessionStore}. The Paho persistences
 * (MQTT 3.1.1 and 5) turn Paho's keyed packets into {@link PendingMessage}s and hand them
 * to this class; nothing here knows Paho's types.
 * <p>
 * Every {@link #put} is durable in the store before it returns, which is what lets Paho
 * tell a publisher "sent". The messages stored are also {@linkplain HeldMessages held}
 * here, by {@linkplain PendingMessage.Key key}. This class coordinates the parts that
 * keep a session: the claim of its client id and its lease, its restore, the held
 * messages and their writes, which change in one order through {@link OrderedWrites}, the
 * cap on pending messages and the packet id.
 * <p>
 * Paho opens and closes a persistence around every connection; this one claims its client
 * id on the first open, loads the session then, and keeps both until {@link #release()}.
 * A second persistence for a client id that is claimed in this process is refused.
 */
public final class SessionStorePersistence {

	private static final Log logger = LogFactory.getLog(SessionStorePersistence.class);

	private final SessionStore store;

	private final String clientId;

	private final SessionPersistenceListener listener;

	private final SessionOwnership ownership;

	private final OfflineExpiry expiry;

	private final SessionRestore restore;

	private final HeldMessages messages;

	private final PendingMessageCap cap;

	private final PendingMessageWriter writer;

	private final OrderedWrites writes;

	/**
	 * Counts the outbound publishes held here, which fill the client's in-flight window.
	 */
	private final SendWindow window;

	private final DeferredWrites deferredWrites;

	private final PacketIds packetIds = new PacketIds();

	private volatile boolean loaded;

	private final HandOvers handOvers;

	private final InboundHandling inbound;

	/**
	 * Creates the persistence of one client id's session.
	 * @param store the store
	 * @param clientId the client id
	 * @param mqtt5 whether the client speaks MQTT 5 (its messages carry an expiry
	 * interval)
	 * @param limit the cap on pending messages and what happens beyond it
	 * @param lease the lease that makes this client the session's only owner; absent for
	 * none
	 * @param listener hears what is persisted, removed, dropped and expired
	 * @param offlineMessageTtl how long a message published while offline may wait;
	 * absent for ever
	 * @param refusedForFullWindow whether a failed publish was refused for a full
	 * in-flight window
	 */
	public SessionStorePersistence(SessionStore store, String clientId, boolean mqtt5, PendingMessageLimit limit,
			@Nullable SessionLease lease, SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl,
			Predicate<Throwable> refusedForFullWindow) {
		this.store = store;
		this.ownership = new SessionOwnership(store, clientId, lease);
		this.clientId = clientId;
		this.listener = listener;
		this.writer = new PendingMessageWriter(store, clientId);
		this.handOvers = new HandOvers(clientId, this.writer);
		this.inbound = new InboundHandling(mqtt5, this.writer);
		this.expiry = new OfflineExpiry(clientId, mqtt5, offlineMessageTtl, Clock.systemUTC(), listener);
		this.restore = new SessionRestore(store, clientId, this.expiry);
		this.window = new SendWindow(clientId, refusedForFullWindow);
		this.messages = new HeldMessages(this.window);
		this.deferredWrites = new DeferredWrites(this.window, this.writer.gathers());
		this.writes = new OrderedWrites(clientId, this.messages, this.writer, listener);
		this.cap = new PendingMessageCap(clientId, limit, this.messages, this.writes, listener);
		this.writer.onLeaseLost(this.ownership::lost);
	}

	/**
	 * Sets how long a new outbound publish may wait for the broker's acknowledgement
	 * before the store writes it (see {@link PendingMessageWriter#setWriteDelay}).
	 * @param writeDelay the delay, not negative; 0 writes every publish at once
	 */
	public void setWriteDelay(Duration writeDelay) {
		this.writer.setWriteDelay(writeDelay);
	}

	/**
	 * The client's in-flight window.
	 * @return the window
	 */
	public SendWindow window() {
		return this.window;
	}

	/**
	 * The client id the session is kept under.
	 * @return the client id
	 */
	public String clientId() {
		return this.clientId;
	}

	OfflineExpiry expiry() {
		return this.expiry;
	}

	/**
	 * Sets the scheduler that renews the session's lease while the client runs.
	 * @param taskScheduler the scheduler
	 */
	public void setTaskScheduler(TaskScheduler taskScheduler) {
		this.ownership.setTaskScheduler(taskScheduler);
	}

	/**
	 * Runs a write that must not touch the store before this instance owns the session:
	 * each time an open claims the session, once its lease is taken, and now when the
	 * session is open already. A write that fails fails the open.
	 * @param write the write
	 */
	public synchronized void whenOwned(Runnable write) {
		this.ownership.whenOwned(write, this.loaded);
	}

	/**
	 * Claims the client id and loads its session, the first time; later calls do nothing.
	 */
	public synchronized void open() {
		if (this.loaded) {
			return;
		}
		this.ownership.take(this);
		try {
			SessionRestore.Loaded session = this.restore.load();
			this.messages.restore(session.pendingMessages());
			this.handOvers.restored(session.outbox());
			restoreInbound(session);
			this.packetIds.restored(session.packetId());
			this.writer.start();
			this.loaded = true;
			this.listener.restored(this.clientId, this.messages.size());
		}
		catch (RuntimeException ex) {
			this.ownership.release(this);
			throw ex;
		}
	}

	private void restoreInbound(SessionRestore.Loaded session) {
		if (this.inbound.isEnabled()) {
			this.inbound.restored(session.pendingMessages()
				.stream()
				.filter((message) -> message.state() == PendingMessage.State.INBOUND_PUBLISH)
				.toList(), session.inboundMarks());
		}
		else if (!session.inboundMarks().isEmpty()) {
			logger.warn("Client '" + this.clientId + "' has " + session.inboundMarks().size()
					+ " record(s) of inbound messages handled in the application's transactions, which stay stored"
					+ " until mqtt.inbound.transactional is true again");
		}
	}

	/**
	 * The inbound QoS 2 messages handled in the application's transactions.
	 * @return the messages
	 */
	public InboundHandling inbound() {
		return this.inbound;
	}

	/**
	 * Stores a packet durably, as {@link #put(PendingMessage, Object)} does, known by no
	 * object of the client.
	 * @param packet the packet as a pending message
	 */
	public void put(PendingMessage packet) {
		put(packet, null);
	}

	/**
	 * Stores a packet durably: returns once it is written, or, inside
	 * {@link #publishDurably}, leaves the wait to that method, outside Paho's locks (for
	 * all but QoS 2 publishes, which must be durable before they are sent).
	 * @param packet the packet as a pending message
	 * @param identity the object the client delivers a received message as; absent when
	 * not known
	 */
	public void put(PendingMessage packet, @Nullable Object identity) {
		PendingMessage message = this.expiry.stamp(packet);
		PendingMessage.Key key = message.key();
		boolean publish = key.state() == PendingMessage.State.OUTBOUND_PUBLISH;
		boolean buffered = key.state() == PendingMessage.State.OFFLINE_BUFFERED;
		boolean reserved = buffered && !this.messages.contains(key);
		if (reserved) {
			this.cap.reserve(message.topic());
		}
		Runnable written = () -> this.listener.persisted(this.clientId, message);
		PendingMessage handedOver = (publish || buffered) ? this.handOvers.take() : null;
		boolean qos2Publish = publish && message.qos() == 2;
		// A QoS 1 publish whose wait is left to publishDurably is sent while its write is
		// queued: its acknowledgement may come first
		boolean acknowledgeable = publish && !qos2Publish && this.deferredWrites.deferring();
		OrderedWrites.Stored stored;
		try {
			stored = this.writes.add(message, written, (handedOver != null) ? handedOver.key() : null, acknowledgeable);
		}
		finally {
			if (reserved) {
				this.cap.endReservation();
			}
		}
		if (publish || buffered) {
			this.packetIds.used(key.packetId());
		}
		if (!qos2Publish && this.deferredWrites.defer(stored.write())) {
			return;
		}
		if (stored.coveredByBufferedRecord() && !qos2Publish) {
			// Paho sends a buffered QoS 1 message: its buffered record stays stored until
			// this write is, since the writer keeps order, so the message is durable
			// already and the drain need not wait.
			return;
		}
		// A QoS 2 publish is durable before Paho may send it: a broker keeps the packet
		// id of a QoS 2 publish until PUBREL, so an id it saw from a publish the client
		// then lost in a crash would swallow the next message sent under that id. Bounded
		// by the send timeout, as a deferred wait is: a store that does not answer fails
		// the publish then.
		try {
			this.window.awaitWrite(stored.write(), this.window.writeDeadline());
		}
		catch (RuntimeException ex) {
			this.writes.abandon(key, stored.held());
			this.messages.markUndoneIfBuffered(key);
			if (handedOver != null) {
				// The write that replaced it may still land: the message Paho does not
				// send must stay stored for the next hand-over
				this.writer.add(handedOver, false, false, null);
			}
			throw ex;
		}
		if (key.state() == PendingMessage.State.INBOUND_PUBLISH && this.inbound.isEnabled()) {
			this.inbound.stored(message, identity);
		}
	}

	/**
	 * Runs a publish whose writes are waited for outside Paho's locks, once Paho returns.
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 * @throws SessionLeaseLostException when this instance lost the lease on the session
	 * since it opened it; nothing is published then
	 * @see DeferredWrites
	 */
	public <T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		requireLease();
		return this.deferredWrites.publishDurably(publish);
	}

	/**
	 * Hands a message written in the application's transaction to the client: runs its
	 * publish as {@link #publishDurably} does, and the store operation that records the
	 * publish ({@link PendingMessage.State#OUTBOUND_PUBLISH} or
	 * {@link PendingMessage.State#OFFLINE_BUFFERED}) also removes the handed-over
	 * message. A publish Paho does not store (QoS 0 while connected) removes it once the
	 * publish returns. When the publish fails, the message stays stored. Once Paho took
	 * the message, it is handed over even when its write does not land in time: Paho
	 * sends it, and the write stays queued.
	 * @param <E> what the publish throws
	 * @param handedOver the message handed over
	 * @param publish the publish of the message
	 * @throws E when the publish fails
	 */
	public <E extends Exception> void handOver(PendingMessage handedOver, DurablePublish<?, E> publish) throws E {
		this.handOvers.handOver(handedOver, publish, (marked) -> publishDurably(marked));
	}

	/**
	 * The messages written in the application's transactions that the last open found
	 * stored, in the order they were stored; each call after the first returns none until
	 * the session is opened again.
	 * @return the messages
	 */
	public List<PendingMessage> takeRestoredOutbox() {
		return this.handOvers.takeRestored();
	}

	/**
	 * Fails, whatever the overflow policy, when the session has no room for one more
	 * message written in the application's transaction.
	 * @param topic the message's topic
	 * @param waiting how many messages written in transactions wait for their hand-over
	 */
	public void checkRoomInTransaction(String topic, int waiting) {
		this.cap.checkRoomBeside(topic, waiting);
	}

	/**
	 * Adds a listener that hears when this instance loses the lease on the open session
	 * to another instance; every publish fails from then on, until the session is opened
	 * again.
	 * @param listener the listener, told once per loss, on the thread that found it
	 */
	public void onLeaseLost(Consumer<SessionLeaseLostException> listener) {
		this.ownership.onLost(listener);
	}

	/**
	 * Fails when this instance lost the lease on the session since it opened it.
	 * @throws SessionLeaseLostException when it did
	 */
	public void requireLease() {
		this.ownership.requireLease();
	}

	/**
	 * Renews the lease on the open session now, if one is held, so that its loss is found
	 * before the client reconnects; a loss reaches the {@linkplain #onLeaseLost
	 * listeners}. A store that cannot be reached counts as no loss until the lease's
	 * duration has passed.
	 */
	public void confirmLease() {
		this.ownership.confirmLease();
	}

	/**
	 * The message stored under a key.
	 * @param key the message's key
	 * @return the message, if one is held
	 */
	public @Nullable PendingMessage get(PendingMessage.Key key) {
		HeldMessages.Held held = this.messages.get(key);
		if (held == null) {
			return null;
		}
		return (held.buffered() != null) ? held.buffered() : this.restore.whole(key);
	}

	/**
	 * The message stored under a key as it is to be sent now: a buffered MQTT 5 message
	 * carries what remains of its expiry interval.
	 * @param key the message's key
	 * @return the message, if one is held
	 */
	public @Nullable PendingMessage getForSending(PendingMessage.Key key) {
		PendingMessage message = get(key);
		return (message != null) ? this.expiry.forSending(message) : null;
	}

	/**
	 * Removes a stored packet; a key that was never stored costs nothing.
	 * @param key the message's key
	 */
	public void remove(PendingMessage.Key key) {
		PendingWrite write = this.writes.remove(key,
				(key.state() == PendingMessage.State.INBOUND_PUBLISH && this.inbound.isEnabled())
						? this.inbound::completed : this.writer::remove);
		// An acknowledged publish needs no commit of its own: written late, or lost in a
		// crash, it is at worst sent again. An inbound QoS 2 message is only removed
		// before PUBCOMP goes out; that waits, as it did before.
		if (write != null && (!this.writer.gathers() || key.state() == PendingMessage.State.INBOUND_PUBLISH)) {
			write.await();
		}
	}

	/**
	 * The keys of the messages held.
	 * @return a snapshot of the keys
	 */
	public List<PendingMessage.Key> keys() {
		return this.messages.keys();
	}

	/**
	 * Whether a message is held under a key.
	 * @param key the key
	 * @return {@code true} when one is
	 */
	public boolean containsKey(PendingMessage.Key key) {
		return this.messages.contains(key);
	}

	/** Deletes the whole stored session: Paho clears on a clean-session connect. */
	public void clear() {
		this.writer.flush();
		this.store.delete(this.clientId);
		this.restore.done();
		this.writes.clear();
		this.inbound.clear();
		this.packetIds.restored(0);
	}

	/**
	 * Records the last packet id used, unless the lease on the session was lost; Paho
	 * calls this around every connection. The data stays.
	 */
	public void close() {
		this.writer.flush();
		this.restore.done();
		if (this.loaded && this.ownership.holdsLease()) {
			this.packetIds.saveIfChanged(this.store, this.clientId);
		}
	}

	/**
	 * Closes, and gives the client id back so that another client in this process may use
	 * it.
	 */
	public synchronized void release() {
		try {
			close();
		}
		finally {
			this.writer.stop();
			this.loaded = false;
			this.ownership.release(this);
		}
	}

	/**
	 * Deals with a connect where the broker reports no session although this one holds
	 * messages in flight: publishes are sent again by Paho (with a warning here);
	 * releases are complete from the client's side, since the broker that would complete
	 * them forgot them, and are dropped.
	 */
	public void brokerHasNoSession() {
		// Buffered messages were never sent: the broker has nothing of them to lose
		int publishes = this.messages.keysIn(PendingMessage.State.OUTBOUND_PUBLISH).size();
		if (publishes > 0) {
			logger.warn("The broker has no session for client '" + this.clientId + "' although " + publishes
					+ " published messages are not acknowledged yet; they are published again");
		}
		for (PendingMessage.Key key : this.messages.keysIn(PendingMessage.State.OUTBOUND_PUBREL)) {
			logger.info("The broker has no session for client '" + this.clientId + "': the QoS 2 release of packet id "
					+ key.packetId() + " is complete from the client's side and is dropped");
			remove(key);
		}
	}

	/**
	 * The writes of this session that failed since its last write that landed: while the
	 * store does not take them.
	 * @return the failures; absent while writes land
	 */
	public @Nullable StoreWriteFailure lastStoreWriteFailure() {
		return this.writer.lastFailure();
	}

	/**
	 * The last packet id the session used when it was loaded.
	 * @return the packet id, 0 when none
	 */
	public int restoredPacketId() {
		return this.packetIds.restored();
	}

	/**
	 * How many pending messages the session holds.
	 * @return the count
	 */
	public int pendingMessageCount() {
		return this.messages.size();
	}

	/**
	 * Fails, as a publish beyond the cap would, when the session is full and the policy
	 * is to reject.
	 * @param topic the topic of the message about to be published
	 */
	public void checkRoom(String topic) {
		this.cap.checkRoom(topic);
	}

	/**
	 * Drops buffered messages whose expiry has passed, in one store write at most; a key
	 * no longer held, or of a message that has not expired, is left alone.
	 * @param keys the keys of buffered messages
	 * @return the keys dropped
	 */
	List<PendingMessage.Key> dropExpired(List<PendingMessage.Key> keys) {
		Instant now = this.expiry.now();
		List<PendingMessage> dropped = this.writes.dropExpired(keys, now);
		this.expiry.dropped(dropped, now);
		return dropped.stream().map(PendingMessage::key).toList();
	}

}
