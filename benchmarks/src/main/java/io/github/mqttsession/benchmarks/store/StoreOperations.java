package io.github.mqttsession.benchmarks.store;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;

/** The operations through a {@link SessionStore}: the code under measure. */
final class StoreOperations implements SessionOperations {

	private final SessionStore store;

	private final String clientId;

	private final Runnable close;

	StoreOperations(SessionStore store, String clientId, Runnable close) {
		this.store = store;
		this.clientId = clientId;
		this.close = close;
	}

	@Override
	public void addPendingMessage(PendingMessage message) {
		this.store.addPendingMessage(this.clientId, message);
	}

	@Override
	public void removePendingMessage(PendingMessage.State state, int packetId) {
		this.store.removePendingMessage(this.clientId, state, packetId);
	}

	@Override
	public void addSubscription(Subscription subscription) {
		this.store.addSubscription(this.clientId, subscription);
	}

	@Override
	public MqttSession load() {
		return this.store.load(this.clientId).orElseThrow();
	}

	@Override
	public void save(MqttSession session) {
		this.store.save(this.clientId, session);
	}

	@Override
	public void close() {
		this.close.run();
	}

}
