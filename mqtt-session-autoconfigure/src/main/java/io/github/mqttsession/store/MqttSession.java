package io.github.mqttsession.store;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The client's half of an MQTT session: its subscriptions, its pending messages in order,
 * and the last packet id it used. Immutable: the lists are copied in and cannot be
 * changed.
 *
 * @param subscriptions the subscriptions, one per topic filter
 * @param pendingMessages the pending messages in the order they were stored, one per
 * {@code (state, packetId)}
 * @param packetId the last packet id used, 0..65,535 (0: none used yet)
 */
public record MqttSession(List<Subscription> subscriptions, List<PendingMessage> pendingMessages, int packetId) {

	/** A session with nothing in it. */
	public static final MqttSession EMPTY = new MqttSession(List.of(), List.of(), 0);

	/**
	 * Validates the session and copies its lists.
	 * @param subscriptions the subscriptions
	 * @param pendingMessages the pending messages
	 * @param packetId the last packet id used
	 */
	public MqttSession {
		Objects.requireNonNull(subscriptions, "subscriptions must not be null (use an empty list)");
		Objects.requireNonNull(pendingMessages, "pendingMessages must not be null (use an empty list)");
		MqttNames.requireValidSessionPacketId(packetId);
		subscriptions = List.copyOf(subscriptions);
		pendingMessages = List.copyOf(pendingMessages);
		Set<String> filters = new HashSet<>();
		for (Subscription subscription : subscriptions) {
			if (!filters.add(subscription.topicFilter())) {
				throw new IllegalArgumentException("Topic filter '" + subscription.topicFilter()
						+ "' appears twice in a session; each filter may be subscribed once");
			}
		}
		Set<PendingMessage.Key> keys = new HashSet<>();
		for (PendingMessage message : pendingMessages) {
			if (!keys.add(message.key())) {
				throw new IllegalArgumentException("Pending message " + message.state() + " #" + message.packetId()
						+ " appears twice in a session; each (state, packet id) may be held once");
			}
		}
	}

}
