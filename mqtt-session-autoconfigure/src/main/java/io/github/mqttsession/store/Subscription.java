package io.github.mqttsession.store;

/**
 * A subscription of a client session: a topic filter, the maximum QoS requested for it,
 * and whether it comes from the application's configuration rather than from a subscribe
 * at runtime.
 * <p>
 * The flag lets a later start tell a configured topic that was dropped from the
 * configuration (unsubscribed then) from one the application subscribed to at runtime
 * (kept).
 *
 * @param topicFilter the MQTT topic filter, wildcards allowed
 * @param qos the requested QoS, 0..2
 * @param configured whether the subscription comes from the configured topics
 * ({@code mqtt.inbound.topics})
 */
public record Subscription(String topicFilter, int qos, boolean configured) {

	/**
	 * Validates the topic filter and QoS.
	 * @param topicFilter the MQTT topic filter
	 * @param qos the requested QoS
	 * @param configured whether the subscription comes from the configured topics
	 */
	public Subscription {
		MqttNames.requireValidTopicFilter(topicFilter);
		MqttNames.requireValidQos(qos);
	}

	/**
	 * A subscription made at runtime, not configured.
	 * @param topicFilter the MQTT topic filter
	 * @param qos the requested QoS
	 */
	public Subscription(String topicFilter, int qos) {
		this(topicFilter, qos, false);
	}

}
