package io.github.mqttsession.benchmarks.store;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;

/**
 * The store operations the JMH benchmark times, on one client id's session: implemented
 * by the stores under measure and by their baselines (a plain map, raw JDBC).
 */
interface SessionOperations extends AutoCloseable {

	void addPendingMessage(PendingMessage message);

	void removePendingMessage(PendingMessage.State state, int packetId);

	void addSubscription(Subscription subscription);

	MqttSession load();

	void save(MqttSession session);

	@Override
	void close();

}
