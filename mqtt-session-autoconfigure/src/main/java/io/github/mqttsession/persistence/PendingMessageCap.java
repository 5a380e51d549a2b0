package io.github.mqttsession.persistence;

import java.util.Locale;
import java.util.function.Consumer;

import io.github.mqttsession.store.PendingMessage;

/**
 * The cap on a session's pending messages: a message beyond it is refused, or, under {@code drop-oldest}, makes
 * room by dropping the oldest message buffered while offline.
 * <p>
 * Room is reserved for a buffered message before it is held, under this class's lock, so that publishers racing
 * for the last place cannot both take it; the reservation ends once the message is held (or not).
 */
final class PendingMessageCap {

	private final String clientId;

	private final PendingMessageLimit limit;

	private final HeldMessages held;

	/** Drops the buffered message under a key, to make room. */
	private final Consumer<PendingMessage.Key> dropOldest;

	private final Object lock = new Object();

	private int reservations;

	PendingMessageCap(String clientId, PendingMessageLimit limit, HeldMessages held, Consumer<PendingMessage.Key> dropOldest) {
		this.clientId = clientId;
		this.limit = limit;
		this.held = held;
		this.dropOldest = dropOldest;
	}

	int maxPendingMessages() {
		return this.limit.maxPendingMessages();
	}

	/**
	 * Fails, as a publish beyond the cap would, when the session is full and the policy is to reject; lets a
	 * publisher learn it before Paho takes the message and a packet id for it.
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
	 * Reserves room for a message about to be buffered, dropping the oldest buffered messages if the policy says
	 * so; every reservation is {@linkplain #endReservation() ended}.
	 * @param topic the message's topic
	 * @throws PendingMessageLimitExceededException when there is no room
	 */
	void reserve(String topic) {
		synchronized (this.lock) {
			while (this.held.size() + this.reservations >= this.limit.maxPendingMessages()) {
				PendingMessage.Key oldest = (this.limit.overflow() == OverflowPolicy.DROP_OLDEST) ? this.held.oldestBuffered()
						: null;
				if (oldest == null) {
					throw limitExceeded(topic);
				}
				this.dropOldest.accept(oldest);
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
