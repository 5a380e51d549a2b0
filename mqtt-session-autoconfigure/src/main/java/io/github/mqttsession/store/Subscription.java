package io.github.mqttsession.store;

/**
 * A subscription of a client session: a topic filter and the maximum QoS requested for it.
 *
 * @param topicFilter the MQTT topic filter, wildcards allowed
 * @param qos the requested QoS, 0..2
 */
public record Subscription(String topicFilter, int qos) {

	/**
	 * Validates the topic filter and QoS.
	 * @param topicFilter the MQTT topic filter
	 * @param qos the requested QoS
	 */
	public Subscription {
		MqttNames.requireValidTopicFilter(topicFilter);
		MqttNames.requireValidQos(qos);
	}

}
