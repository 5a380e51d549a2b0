package io.github.mqttsession.integration;

import java.util.List;

import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;

import org.springframework.integration.mqtt.inbound.AbstractMqttMessageDrivenChannelAdapter;

/**
 * Adds and removes subscriptions of the inbound adapter at runtime, writing each change
 * through to the {@link SessionStore}, so that a subscription added at runtime is back
 * after a restart.
 */
public class MqttSubscriptions {

	private final AbstractMqttMessageDrivenChannelAdapter<?, ?> adapter;

	private final SessionStore store;

	private final String clientId;

	/**
	 * Creates the runtime subscription API of one inbound adapter.
	 * @param adapter the inbound adapter
	 * @param store the session store
	 * @param clientId the client id the session is stored under
	 */
	public MqttSubscriptions(AbstractMqttMessageDrivenChannelAdapter<?, ?> adapter, SessionStore store,
			String clientId) {
		this.adapter = adapter;
		this.store = store;
		this.clientId = clientId;
	}

	/**
	 * Subscribes to a topic filter, or changes the QoS of a subscription. The
	 * subscription is stored first, then made at the broker (now when connected, else on
	 * the next connect).
	 * @param topicFilter the topic filter
	 * @param qos the QoS, 0..2
	 * @throws IllegalArgumentException for an invalid filter or QoS
	 */
	public void subscribe(String topicFilter, int qos) {
		Subscription subscription = new Subscription(topicFilter, qos);
		Subscription previous = storedSubscriptions().stream()
			.filter((stored) -> stored.topicFilter().equals(topicFilter))
			.findFirst()
			.orElse(null);
		this.store.addSubscription(this.clientId, subscription);
		try {
			if (List.of(this.adapter.getTopic()).contains(topicFilter)) {
				this.adapter.removeTopic(topicFilter);
			}
			this.adapter.addTopic(topicFilter, qos);
		}
		catch (RuntimeException ex) {
			// The store goes back to what it held: a failed change of QoS must not lose
			// the subscription
			if (previous != null) {
				this.store.addSubscription(this.clientId, previous);
			}
			else {
				this.store.removeSubscription(this.clientId, topicFilter);
			}
			throw ex;
		}
	}

	/**
	 * Unsubscribes from a topic filter and removes it from the stored session; an unknown
	 * filter is fine.
	 * @param topicFilter the topic filter
	 * @throws IllegalArgumentException for an invalid filter, which no subscription can
	 * have
	 */
	public void unsubscribe(String topicFilter) {
		MqttNames.requireValidTopicFilter(topicFilter);
		if (List.of(this.adapter.getTopic()).contains(topicFilter)) {
			this.adapter.removeTopic(topicFilter);
		}
		this.store.removeSubscription(this.clientId, topicFilter);
	}

	/**
	 * The subscriptions stored for the client.
	 * @return the stored subscriptions, in order
	 */
	public List<Subscription> storedSubscriptions() {
		return this.store.load(this.clientId).map(MqttSession::subscriptions).orElse(List.of());
	}

	/**
	 * The topic filters the inbound adapter is subscribed to (or subscribes to on the
	 * next connect).
	 * @return the topic filters
	 */
	public List<String> activeTopics() {
		return List.of(this.adapter.getTopic());
	}

}
