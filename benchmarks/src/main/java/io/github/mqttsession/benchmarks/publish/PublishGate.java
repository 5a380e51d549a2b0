package io.github.mqttsession.benchmarks.publish;

import io.github.mqttsession.persistence.DurablePublish;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * How a variant runs a publish: straight through Paho, or through the persistence's
 * durable publish.
 */
@FunctionalInterface
interface PublishGate {

	/**
	 * Publishes straight through Paho: the persistence's {@code put} returns once the
	 * message is stored.
	 */
	PublishGate DIRECT = DurablePublish::publish;

	/** Publishes straight through Paho and waits for the broker's acknowledgement. */
	PublishGate UNTIL_ACKNOWLEDGED = (publish) -> {
		IMqttDeliveryToken token = publish.publish();
		token.waitForCompletion();
		return token;
	};

	IMqttDeliveryToken publish(DurablePublish<IMqttDeliveryToken, MqttException> publish) throws MqttException;

}
