package io.github.mqttsession.autoconfigure;

import org.springframework.integration.mqtt.inbound.AbstractMqttMessageDrivenChannelAdapter;

/**
 * Customizes the inbound adapter, of either MQTT version, after the
 * {@code mqtt.inbound.*} and {@code mqtt.client.*} properties are applied and before it
 * starts: its converter, error channel, or anything else no property covers. Every bean
 * of this type is applied, in {@link org.springframework.core.annotation.Order order}.
 */
@FunctionalInterface
public interface MqttInboundAdapterCustomizer {

	/**
	 * Customizes the adapter.
	 * @param adapter the adapter, a
	 * {@link io.github.mqttsession.integration.SessionMqttInboundChannelAdapter} (MQTT
	 * 3.1.1) or
	 * {@link io.github.mqttsession.integration.SessionMqttv5InboundChannelAdapter} (MQTT
	 * 5), with the properties already applied
	 */
	void customize(AbstractMqttMessageDrivenChannelAdapter<?, ?> adapter);

}
