package io.github.mqttsession.autoconfigure;

import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * Customizes Paho's {@link MqttConnectionOptions} of an MQTT 5 client after the
 * {@code mqtt.client.*} properties are applied and before the client manager uses them.
 * Every bean of this type is applied, in {@link org.springframework.core.annotation.Order
 * order}.
 */
@FunctionalInterface
public interface MqttConnectionOptionsCustomizer {

	/**
	 * Customizes the options.
	 * @param options the options, with the properties already applied
	 */
	void customize(MqttConnectionOptions options);

}
