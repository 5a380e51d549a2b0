package io.github.mqttsession.persistence;

import java.util.Locale;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The cap on a session's pending messages: a message beyond it is refused, or, under
 * {@code drop-oldest}, makes room by dropping the oldest message buffered while offline.
 * <p>
 * Room is reserved for a buffered message before it is held, under this class's lock, so
 * that publishers racing for the last place cannot both take it; the reservation ends
 * once the message is held (or not).
 */
final class PendingMessageCap {

	private static final Log logger = LogFactory.getLog(PendingMessageCap.class);

	private final String clientId;

	private final PendingMessageLimit limit;

	private final HeldMessages held;

	/** Drops buffered messages, to make room. */
	private final OrderedWrites writes;

	private final SessionPersistenceListener listener;

	private final Object lock = new Object();

	private int reservations;

	PendingMessageCap(String clientId, PendingMessageLimit limit, HeldMessages held, OrderedWrites writes,
			SessionPersistenceListener listener) {
		this.clientId = clientId;
		this.limit = limit;
		this.held = held;
		this.writes = writes;
		this.listener = listener;
	}

	/**
	 * Fails, as a publish beyond the cap would, when the session is full and the policy
	 * is to reject; lets a publisher learn it before Paho takes the message and a packet
	 * id for it.
	 * @param topic the topic of the message about to be published
	 */
	void checkRoom(String topic) {
		if (this.limit.overflow() == OverflowPolicy.REJECT) {
			synchronized (this.lock) {
				if (this.held.size() + this.reservations >= this.limit.maxPendingMessages()) {
					throw limitExceeded(topic);
				}
			}
		}
	}

	/**
	 * Fails when the session has no room for one more message written in the
	 * application's transaction, whatever the policy: dropping another message cannot
	 * take place in that transaction.
	 * @param topic the message's topic
	 * @param waiting how many messages written in the application's transactions wait for
	 * their hand-over to the client
	 * @throws PendingMessageLimitExceededException when there is no room
	 */
	void checkRoomBeside(String topic, int waiting) {
		synchronized (this.lock) {
			int pending = this.held.size() + this.reservations + waiting;
			if (pending >= this.limit.maxPendingMessages()) {
				throw new PendingMessageLimitExceededException("Client '" + this.clientId + "' already holds " + pending
						+ " pending messages, with those written in transactions not yet handed over, the"
						+ " most mqtt.session.max-pending-messages (" + this.limit.maxPendingMessages()
						+ ") allows; the message to '" + topic + "' was not written in the transaction");
			}
		}
	}

	/**
	 * Reserves room for a message about to be buffered, dropping the oldest buffered
	 * messages if the policy says so; every reservation is {@linkplain #endReservation()
	 * ended}.
	 * @param topic the message's topic
	 * @throws PendingMessageLimitExceededException when there is no room
	 */
	void reserve(String topic) {
		synchronized (this.lock) {
			while (this.held.size() + this.reservations >= this.limit.maxPendingMessages()) {
				PendingMessage.Key oldest = (this.limit.overflow() == OverflowPolicy.DROP_OLDEST)
						? this.held.oldestBuffered() : null;
				if (oldest == null) {
					throw limitExceeded(topic);
				}
				dropOldest(oldest);
			}
			this.reservations++;
		}
	}

	/** Ends a reservation: the message is held now, or was not stored. */
	void endReservation() {
		synchronized (this.lock) {
			this.reservations--;
		}
	}

	/** Drops the oldest buffered message to make room under {@code drop-oldest}. */
	private void dropOldest(PendingMessage.Key key) {
		PendingMessage dropped = this.writes.dropBuffered(key);
		if (dropped != null) {
			logger.warn("Client '" + this.clientId + "' holds " + this.limit.maxPendingMessages()
					+ " pending messages (mqtt.session.max-pending-messages): dropped the oldest message never sent,"
					+ " packet id " + dropped.packetId() + " to '" + dropped.topic()
					+ "' (mqtt.session.overflow=drop-oldest)");
			this.listener.droppedByOverflow(this.clientId, dropped);
		}
	}

	private PendingMessageLimitExceededException limitExceeded(String topic) {
		String policy = this.limit.overflow().name().toLowerCase(Locale.ROOT).replace('_', '-');
		String reason = (this.limit.overflow() == OverflowPolicy.DROP_OLDEST)
				? ", and every pending message is in flight, so none can be dropped" : "";
		return new PendingMessageLimitExceededException("Client '" + this.clientId + "' already holds "
				+ this.held.size() + " pending messages, the most mqtt.session.max-pending-messages ("
				+ this.limit.maxPendingMessages() + ") allows; the message to '" + topic
				+ "' was not stored (mqtt.session.overflow=" + policy + reason + ")");
	}

}
