package io.github.mqttsession.store;

import java.util.List;
import java.util.Objects;

/**
 * One change to a session's pending messages, for
 * {@link SessionStore#applyPendingMessageChanges}: a message added (or replaced in place)
 * or a message removed.
 */
public sealed interface PendingMessageChange {

	/**
	 * Whether any of the changes adds a message: only an addition creates a missing
	 * session.
	 * @param changes the changes
	 * @return {@code true} when one of them is {@link Added}
	 */
	static boolean addsAny(List<PendingMessageChange> changes) {
		for (PendingMessageChange change : changes) {
			if (change instanceof Added) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A message added at the end of the session's messages, or replacing the message with
	 * the same {@code (state, packetId)} in place.
	 *
	 * @param message the message
	 */
	record Added(PendingMessage message) implements PendingMessageChange {

		/**
		 * Checks the message.
		 * @param message the message
		 */
		public Added {
			Objects.requireNonNull(message, "message must not be null");
		}

	}

	/**
	 * The message with a state and packet id removed; removing one that is not there is
	 * fine.
	 *
	 * @param state the message's state
	 * @param packetId the message's packet id
	 */
	record Removed(PendingMessage.State state, int packetId) implements PendingMessageChange {

		/**
		 * Checks the state.
		 * @param state the message's state
		 * @param packetId the message's packet id
		 */
		public Removed {
			Objects.requireNonNull(state, "state must not be null");
		}

		/**
		 * The removal of the message with this identity.
		 * @param key the message's state and packet id
		 */
		public Removed(PendingMessage.Key key) {
			this(key.state(), key.packetId());
		}

		/**
		 * The removed message's identity.
		 * @return its state and packet id
		 */
		public PendingMessage.Key key() {
			return new PendingMessage.Key(this.state, this.packetId);
		}

	}

}
