package io.github.mqttsession.benchmarks.store;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;

/**
 * The in-memory store's baseline: plain {@link ConcurrentHashMap}s, per client id one of
 * messages by {@code (state, packetId)} and one of subscriptions by filter, with no
 * per-session atomicity, ordering or timestamps. A load builds the same
 * {@link MqttSession} the store returns; a save copies the session's messages into a new
 * map, as any map of messages must.
 */
final class MapOperations implements SessionOperations {

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	private final String clientId;

	MapOperations(String clientId) {
		this.clientId = clientId;
	}

	private Session session() {
		return this.sessions.computeIfAbsent(this.clientId, (id) -> new Session());
	}

	private static long key(PendingMessage.State state, int packetId) {
		return ((long) state.ordinal() << 32) | packetId;
	}

	@Override
	public void addPendingMessage(PendingMessage message) {
		session().messages.put(key(message.state(), message.packetId()), message);
	}

	@Override
	public void removePendingMessage(PendingMessage.State state, int packetId) {
		Session session = this.sessions.get(this.clientId);
		if (session != null) {
			session.messages.remove(key(state, packetId));
		}
	}

	@Override
	public void addSubscription(Subscription subscription) {
		session().subscriptions.put(subscription.topicFilter(), subscription);
	}

	@Override
	public MqttSession load() {
		Session session = this.sessions.get(this.clientId);
		return new MqttSession(new ArrayList<>(session.subscriptions.values()),
				new ArrayList<>(session.messages.values()), session.packetId);
	}

	@Override
	public void save(MqttSession session) {
		Session replacement = new Session();
		session.subscriptions()
			.forEach((subscription) -> replacement.subscriptions.put(subscription.topicFilter(), subscription));
		session.pendingMessages()
			.forEach((message) -> replacement.messages.put(key(message.state(), message.packetId()), message));
		replacement.packetId = session.packetId();
		this.sessions.put(this.clientId, replacement);
	}

	@Override
	public void close() {
		this.sessions.clear();
	}

	private static final class Session {

		final Map<Long, PendingMessage> messages = new ConcurrentHashMap<>();

		final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

		volatile int packetId;

	}

}
