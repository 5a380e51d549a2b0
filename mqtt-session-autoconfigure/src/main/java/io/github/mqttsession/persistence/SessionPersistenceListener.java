package io.github.mqttsession.persistence;

import io.github.mqttsession.store.PendingMessage;

/**
 * Hears what a session persistence does, for metrics and logs. Every method does nothing
 * by default.
 */
public interface SessionPersistenceListener {

	/** A listener that does nothing. */
	SessionPersistenceListener NONE = new SessionPersistenceListener() {
	};

	/**
	 * A message was written to the store durably. Not heard for a QoS 1 message the
	 * broker acknowledged before it was written, which made the write needless (see
	 * {@code mqtt.outbound.write-delay}).
	 * @param clientId the client id
	 * @param message the message
	 */
	default void persisted(String clientId, PendingMessage message) {
	}

	/**
	 * A message the session held was completed and let go of, whether or not it had been
	 * written; its removal from the store follows.
	 * @param clientId the client id
	 * @param state its state
	 * @param packetId its packet id
	 */
	default void removed(String clientId, PendingMessage.State state, int packetId) {
	}

	/**
	 * A message never sent was discarded to keep the session within its cap.
	 * @param clientId the client id
	 * @param message the discarded message
	 */
	default void droppedByOverflow(String clientId, PendingMessage message) {
	}

	/**
	 * A message published while the broker was unreachable was discarded unsent because
	 * its expiry passed.
	 * @param clientId the client id
	 * @param message the discarded message
	 */
	default void expired(String clientId, PendingMessage message) {
	}

	/**
	 * A session was restored from the store when its client was created.
	 * @param clientId the client id
	 * @param pendingMessages how many pending messages it held
	 */
	default void restored(String clientId, int pendingMessages) {
	}

}
