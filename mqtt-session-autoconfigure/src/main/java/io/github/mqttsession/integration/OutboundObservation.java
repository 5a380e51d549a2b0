package io.github.mqttsession.integration;

import io.github.mqttsession.observation.DefaultMqttPublishObservationConvention;
import io.github.mqttsession.observation.MqttPublishObservationContext;
import io.github.mqttsession.observation.MqttPublishObservationConvention;
import io.github.mqttsession.observation.MqttSessionObservation;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;

/**
 * The publish observation of an outbound handler of either MQTT version: it wraps the
 * handling of each message sent to the handler, and tells the observation the topic and
 * QoS once the handler resolved them. Without a registry (the default) it costs one check
 * per message and builds nothing.
 */
final class OutboundObservation {

	private volatile ObservationRegistry registry = ObservationRegistry.NOOP;

	private volatile @Nullable MqttPublishObservationConvention convention;

	void setRegistry(ObservationRegistry registry) {
		this.registry = registry;
	}

	void setConvention(@Nullable MqttPublishObservationConvention convention) {
		this.convention = convention;
	}

	boolean isNoop() {
		return this.registry.isNoop();
	}

	/**
	 * Handles a message inside a publish observation.
	 * @param message the message sent to the handler
	 * @param clientId the MQTT client id
	 * @param defaultTopic the handler's default topic
	 * @param fromHeader whether the handler reads the topic from the {@code mqtt_topic}
	 * header (else an expression gives it, known only once evaluated)
	 * @param handling the handler's own handling of the message
	 */
	void observe(Message<?> message, String clientId, @Nullable String defaultTopic, boolean fromHeader,
			Runnable handling) {
		ObservationRegistry registry = this.registry;
		// The topic as Spring Integration's header processor will resolve it, so that the
		// span is named before the handler gets there
		Object header = message.getHeaders().get(MqttHeaders.TOPIC);
		String topic = (!fromHeader) ? null : (header instanceof String value) ? value : defaultTopic;
		MqttPublishObservationContext context = new MqttPublishObservationContext(message, clientId, defaultTopic,
				topic);
		MqttSessionObservation.PUBLISH
			.observation(this.convention, DefaultMqttPublishObservationConvention.INSTANCE, () -> context, registry)
			.observe(handling);
	}

	/**
	 * The context of the publish observation the current thread is in, to complete it
	 * with what the handler resolved.
	 * @param topic the resolved topic
	 * @param qos the resolved QoS
	 * @return the context, absent when the publish is not observed
	 */
	@Nullable MqttPublishObservationContext resolved(String topic, int qos) {
		if (this.registry.isNoop()) {
			return null;
		}
		Observation current = this.registry.getCurrentObservation();
		if (current != null && current.getContext() instanceof MqttPublishObservationContext context) {
			context.setTopic(topic);
			context.setQos(qos);
			return context;
		}
		return null;
	}

}
