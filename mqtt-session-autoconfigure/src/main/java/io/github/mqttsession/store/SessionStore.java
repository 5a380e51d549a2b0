package io.github.mqttsession.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the client's half of MQTT sessions lives, keyed by client id.
 * <p>
 * A store must implement {@link #load}, {@link #save} and {@link #delete}. The
 * fine-grained operations have default bodies written on those three (load, change,
 * save), which makes a store that implements only them correct for one writer per client
 * id at a time. The built-in stores override every operation: each is atomic per client
 * id, does work independent of the session's size, loses no concurrent update and never
 * fails with a conflict.
 * <p>
 * Listing sessions, deleting idle ones and leasing them are optional
 * {@linkplain SessionStoreFeature features}, small interfaces a store implements besides
 * this one; code that needs one asks {@link #feature(Class)}.
 * <p>
 * Failures are {@link SessionStoreException}s whose message names the client id and the
 * cause. Invalid arguments are {@link IllegalArgumentException}s.
 */
public interface SessionStore {

	/**
	 * Loads the session stored for a client id.
	 * @param clientId the client id
	 * @return the session, or empty when none is stored
	 */
	Optional<MqttSession> load(String clientId);

	/**
	 * Stores a whole session, replacing what was stored for the client id. A store may
	 * refuse a save that would overwrite a change made by another writer since this one
	 * loaded the session, with a {@link SessionStoreException}.
	 * @param clientId the client id
	 * @param session the session to store
	 */
	void save(String clientId, MqttSession session);

	/**
	 * Deletes the session stored for a client id; deleting one that is not there is fine.
	 * @param clientId the client id
	 */
	void delete(String clientId);

	/**
	 * Adds a subscription, or replaces the QoS of the subscription with the same topic
	 * filter in place. Creates the session when there is none.
	 * @param clientId the client id
	 * @param subscription the subscription
	 */
	default void addSubscription(String clientId, Subscription subscription) {
		MqttSession session = load(clientId).orElse(MqttSession.EMPTY);
		List<Subscription> subscriptions = new ArrayList<>(session.subscriptions());
		int index = indexOfFilter(subscriptions, subscription.topicFilter());
		if (index >= 0) {
			subscriptions.set(index, subscription);
		}
		else {
			subscriptions.add(subscription);
		}
		save(clientId, new MqttSession(subscriptions, session.pendingMessages(), session.packetId()));
	}

	/**
	 * Removes the subscription with a topic filter; removing one that is not there is
	 * fine.
	 * @param clientId the client id
	 * @param topicFilter the topic filter
	 */
	default void removeSubscription(String clientId, String topicFilter) {
		Optional<MqttSession> stored = load(clientId);
		if (stored.isEmpty()) {
			return;
		}
		MqttSession session = stored.get();
		List<Subscription> subscriptions = new ArrayList<>(session.subscriptions());
		int index = indexOfFilter(subscriptions, topicFilter);
		if (index >= 0) {
			subscriptions.remove(index);
			save(clientId, new MqttSession(subscriptions, session.pendingMessages(), session.packetId()));
		}
	}

	/**
	 * Adds a pending message at the end of the session's messages, or replaces the
	 * message with the same {@code (state, packetId)} in place. Creates the session when
	 * there is none.
	 * @param clientId the client id
	 * @param message the message
	 */
	default void addPendingMessage(String clientId, PendingMessage message) {
		MqttSession session = load(clientId).orElse(MqttSession.EMPTY);
		List<PendingMessage> messages = new ArrayList<>(session.pendingMessages());
		int index = indexOfMessage(messages, message.state(), message.packetId());
		if (index >= 0) {
			messages.set(index, message);
		}
		else {
			messages.add(message);
		}
		save(clientId, new MqttSession(session.subscriptions(), messages, session.packetId()));
	}

	/**
	 * Removes the pending message with a state and packet id; removing one that is not
	 * there is fine.
	 * @param clientId the client id
	 * @param state the message's state
	 * @param packetId the message's packet id
	 */
	default void removePendingMessage(String clientId, PendingMessage.State state, int packetId) {
		Optional<MqttSession> stored = load(clientId);
		if (stored.isEmpty()) {
			return;
		}
		MqttSession session = stored.get();
		List<PendingMessage> messages = new ArrayList<>(session.pendingMessages());
		int index = indexOfMessage(messages, state, packetId);
		if (index >= 0) {
			messages.remove(index);
			save(clientId, new MqttSession(session.subscriptions(), messages, session.packetId()));
		}
	}

	/**
	 * Replaces one pending message by another in one step, so that no crash can leave
	 * both or neither stored: removes the message with {@code (state, packetId)} and adds
	 * {@code replacement} as {@link #addPendingMessage} does. Creates the session when
	 * there is none.
	 * @param clientId the client id
	 * @param state the state of the message to remove
	 * @param packetId the packet id of the message to remove
	 * @param replacement the message to add
	 */
	default void replacePendingMessage(String clientId, PendingMessage.State state, int packetId,
			PendingMessage replacement) {
		MqttSession session = load(clientId).orElse(MqttSession.EMPTY);
		List<PendingMessage> messages = new ArrayList<>(session.pendingMessages());
		int removed = indexOfMessage(messages, state, packetId);
		if (removed >= 0) {
			messages.remove(removed);
		}
		int index = indexOfMessage(messages, replacement.state(), replacement.packetId());
		if (index >= 0) {
			messages.set(index, replacement);
		}
		else {
			messages.add(replacement);
		}
		save(clientId, new MqttSession(session.subscriptions(), messages, session.packetId()));
	}

	/**
	 * Applies changes to a session's pending messages in order, all or none: built-in
	 * stores write them in one transaction with one durable commit, which is how a
	 * client's persistence lets many publishers share a commit. An addition creates the
	 * session when there is none; removals alone leave a missing session missing. The
	 * default applies them to the loaded session and saves it once (atomic for one writer
	 * per client id).
	 * @param clientId the client id
	 * @param changes the changes, applied first to last
	 */
	default void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		if (changes.isEmpty()) {
			return;
		}
		Optional<MqttSession> stored = load(clientId);
		if (stored.isEmpty() && !PendingMessageChange.addsAny(changes)) {
			return;
		}
		MqttSession session = stored.orElse(MqttSession.EMPTY);
		List<PendingMessage> messages = new ArrayList<>(session.pendingMessages());
		for (PendingMessageChange change : changes) {
			if (change instanceof PendingMessageChange.Added added) {
				PendingMessage message = added.message();
				int index = indexOfMessage(messages, message.state(), message.packetId());
				if (index >= 0) {
					messages.set(index, message);
				}
				else {
					messages.add(message);
				}
			}
			else if (change instanceof PendingMessageChange.Removed removed) {
				int index = indexOfMessage(messages, removed.state(), removed.packetId());
				if (index >= 0) {
					messages.remove(index);
				}
			}
		}
		save(clientId, new MqttSession(session.subscriptions(), messages, session.packetId()));
	}

	/**
	 * Whether each write costs a round trip or a durable commit, so that writes are worth
	 * gathering: the Paho persistence then hands its writes to a background writer that
	 * applies whatever has queued up in one {@link #applyPendingMessageChanges} call, and
	 * publishers wait for their own message only. A store whose writes cost no more than
	 * a map update returns {@code false} and is written on the caller's thread.
	 * @return {@code true} (the default) when writes are worth gathering
	 */
	default boolean gathersWrites() {
		return true;
	}

	/**
	 * Records the last packet id used. Creates the session when there is none.
	 * @param clientId the client id
	 * @param packetId the packet id, 0..65,535
	 */
	default void setPacketId(String clientId, int packetId) {
		MqttSession session = load(clientId).orElse(MqttSession.EMPTY);
		save(clientId, new MqttSession(session.subscriptions(), session.pendingMessages(), packetId));
	}

	/**
	 * This store's implementation of an optional {@link SessionStoreFeature}, such as
	 * {@link SessionListing}: how code that needs a feature asks for it. The default
	 * answers with this store when it implements the feature's interface. A store that
	 * wraps another (a decorator) overrides it to answer from the store it wraps, so that
	 * it exposes exactly the features of that store, wrapped in turn where the decorator
	 * adds behaviour to them.
	 * @param <F> the feature's type
	 * @param type the feature's interface
	 * @return the feature, or empty when this store does not have it
	 */
	default <F extends SessionStoreFeature> Optional<F> feature(Class<F> type) {
		return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
	}

	private static int indexOfFilter(List<Subscription> subscriptions, String topicFilter) {
		for (int i = 0; i < subscriptions.size(); i++) {
			if (subscriptions.get(i).topicFilter().equals(topicFilter)) {
				return i;
			}
		}
		return -1;
	}

	private static int indexOfMessage(List<PendingMessage> messages, PendingMessage.State state, int packetId) {
		for (int i = 0; i < messages.size(); i++) {
			PendingMessage message = messages.get(i);
			if (message.state() == state && message.packetId() == packetId) {
				return i;
			}
		}
		return -1;
	}

}
