package io.github.mqttsession.observation;

import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;

/**
 * The context of a {@link MqttSessionObservation#RECEIVE received message}: the client it
 * arrived at, its topic and QoS, and the subscription's topic filter it matched. Its
 * carrier is the message's MQTT 5 user properties, from which a tracer reads the trace
 * context the publisher wrote; a message on MQTT 3.1.1 carries none.
 */
public class MqttReceiveObservationContext extends ReceiverContext<Map<String, String>> {

	private final String clientId;

	private final String topicFilter;

	private final String topic;

	private final int qos;

	/**
	 * Creates the context of one arriving message.
	 * @param clientId the MQTT client id
	 * @param topicFilter the subscription's topic filter the topic matched, as configured
	 * (with a {@code $share/group/} prefix for a shared subscription), or {@code other}
	 * @param topic the message's topic
	 * @param qos the QoS the message arrived with
	 * @param userProperties the message's user properties, by name (the last of a name
	 * repeated); empty on MQTT 3.1.1
	 */
	@SuppressWarnings("this-escape")
	public MqttReceiveObservationContext(String clientId, String topicFilter, String topic, int qos,
			Map<String, String> userProperties) {
		super((carrier, key) -> carrier.get(key), Kind.CONSUMER);
		this.clientId = clientId;
		this.topicFilter = topicFilter;
		this.topic = topic;
		this.qos = qos;
		setCarrier(userProperties);
		setRemoteServiceName("MQTT");
	}

	/**
	 * The MQTT client id of the receiving client.
	 * @return the client id
	 */
	public String getClientId() {
		return this.clientId;
	}

	/**
	 * The subscription's topic filter the message's topic matched, as configured, or
	 * {@code other} when none of the adapter's did.
	 * @return the topic filter
	 */
	public String getTopicFilter() {
		return this.topicFilter;
	}

	/**
	 * The message's topic.
	 * @return the topic
	 */
	public String getTopic() {
		return this.topic;
	}

	/**
	 * The QoS the message arrived with.
	 * @return the QoS
	 */
	public int getQos() {
		return this.qos;
	}

}
