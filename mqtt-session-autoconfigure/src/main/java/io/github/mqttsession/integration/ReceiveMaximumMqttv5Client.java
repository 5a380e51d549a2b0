package io.github.mqttsession.integration;

import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * A Paho MQTT 5 client that tells the Receive Maximum of the broker it is connected to: the size of its in-flight
 * window. Paho learns it from every CONNACK, reconnects included, but keeps it to itself; its client state reports
 * it only among its debug properties.
 */
final class ReceiveMaximumMqttv5Client extends MqttAsyncClient {

	private static final int UNLIMITED = 65_535;

	ReceiveMaximumMqttv5Client(String serverURI, String clientId, MqttClientPersistence persistence)
			throws MqttException {
		super(serverURI, clientId, persistence);
	}

	/**
	 * The Receive Maximum of the last CONNACK, 65,535 when the broker sent none.
	 * @return how many QoS 1 and 2 publishes the broker takes at once
	 */
	int receiveMaximum() {
		Object value = this.comms.getClientState().getDebug().get("serverReceiveMaximum");
		return (value instanceof Integer receiveMaximum) ? receiveMaximum : UNLIMITED;
	}

}
