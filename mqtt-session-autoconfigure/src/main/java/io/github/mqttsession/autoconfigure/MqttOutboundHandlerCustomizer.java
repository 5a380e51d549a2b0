package io.github.mqttsession.autoconfigure;

import org.springframework.integration.mqtt.outbound.AbstractMqttMessageHandler;

/**
 * Customizes the outbound handler, of either MQTT version, after the
 * {@code mqtt.outbound.*} and {@code mqtt.client.*} properties are applied and before it
 * starts: its topic expression, converter, events, or anything else no property covers.
 * Every bean of this type is applied, in {@link org.springframework.core.annotation.Order
 * order}.
 */
@FunctionalInterface
public interface MqttOutboundHandlerCustomizer {

	/**
	 * Customizes the handler.
	 * @param handler the handler, a
	 * {@link io.github.mqttsession.integration.SessionMqttMessageHandler} (MQTT 3.1.1) or
	 * {@link io.github.mqttsession.integration.SessionMqttv5MessageHandler} (MQTT 5),
	 * with the properties already applied
	 */
	void customize(AbstractMqttMessageHandler<?, ?> handler);

}
