package io.github.mqttsession.autoconfigure;

import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

/**
 * Customizes Paho's {@link MqttConnectOptions} of an MQTT 3.1.1 client after the
 * {@code mqtt.client.*} properties are applied and before the client manager uses them.
 * Every bean of this type is applied, in {@link org.springframework.core.annotation.Order
 * order}.
 */
@FunctionalInterface
public interface MqttConnectOptionsCustomizer {

	/**
	 * Customizes the options.
	 * @param options the options, with the properties already applied
	 */
	void customize(MqttConnectOptions options);

}
