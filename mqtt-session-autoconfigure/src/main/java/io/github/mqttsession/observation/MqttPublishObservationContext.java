package io.github.mqttsession.observation;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import org.jspecify.annotations.Nullable;

import org.springframework.messaging.Message;

/**
 * The context of a {@link MqttSessionObservation#PUBLISH publish}: the message sent to
 * the outbound handler, the client that publishes it, and, once the handler resolved
 * them, its topic and QoS. A tracer writes the trace context into its carrier, the
 * propagation fields; on MQTT 5 the handler adds them to the message as user properties,
 * so the receiving side continues the trace. MQTT 3.1.1 has nowhere to carry them.
 */
public class MqttPublishObservationContext extends SenderContext<Map<String, String>> {

	private final Message<?> message;

	private final String clientId;

	private final @Nullable String defaultTopic;

	private final Map<String, String> propagationFields;

	private @Nullable String topic;

	private @Nullable Integer qos;

	/**
	 * Creates the context of one publish.
	 * @param message the message sent to the outbound handler
	 * @param clientId the MQTT client id
	 * @param defaultTopic the handler's default topic
	 * @param topic the topic as far as known before the handler resolves it
	 */
	@SuppressWarnings("this-escape")
	public MqttPublishObservationContext(Message<?> message, String clientId, @Nullable String defaultTopic,
			@Nullable String topic) {
		super((carrier, key, value) -> {
			if (carrier != null) {
				carrier.put(key, value);
			}
		}, Kind.PRODUCER);
		this.message = message;
		this.clientId = clientId;
		this.defaultTopic = defaultTopic;
		this.topic = topic;
		this.propagationFields = new LinkedHashMap<>();
		setCarrier(this.propagationFields);
		setRemoteServiceName("MQTT");
	}

	/**
	 * The message sent to the outbound handler.
	 * @return the message
	 */
	public Message<?> getMessage() {
		return this.message;
	}

	/**
	 * The MQTT client id of the publishing client.
	 * @return the client id
	 */
	public String getClientId() {
		return this.clientId;
	}

	/**
	 * The outbound handler's default topic ({@code mqtt.outbound.default-topic}).
	 * @return the default topic
	 */
	public @Nullable String getDefaultTopic() {
		return this.defaultTopic;
	}

	/**
	 * The topic the message is published to: from its {@code mqtt_topic} header or the
	 * default topic, or what a topic expression made of it; absent when the handler
	 * refused the message before it had one.
	 * @return the topic
	 */
	public @Nullable String getTopic() {
		return this.topic;
	}

	/**
	 * Sets the topic the handler resolved.
	 * @param topic the topic
	 */
	public void setTopic(String topic) {
		this.topic = topic;
	}

	/**
	 * The QoS the message is published with; absent when the handler refused the message
	 * before it had one.
	 * @return the QoS
	 */
	public @Nullable Integer getQos() {
		return this.qos;
	}

	/**
	 * Sets the QoS the handler resolved.
	 * @param qos the QoS
	 */
	public void setQos(int qos) {
		this.qos = qos;
	}

	/**
	 * The trace context fields a tracer injected, by name, in the order written: on MQTT
	 * 5 they travel as user properties of the published message.
	 * @return the fields, a live view
	 */
	public Map<String, String> getPropagationFields() {
		return this.propagationFields;
	}

}
