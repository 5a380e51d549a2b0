package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client, connected straight to the broker, that records the payloads it
 * receives on a topic.
 */
final class Subscriber implements AutoCloseable {

	private final MqttClient client;

	private final List<String> received = new CopyOnWriteArrayList<>();

	Subscriber(String brokerUrl, String topicFilter, int qos) throws MqttException {
		this.client = connectAndSubscribe(brokerUrl, "subscriber-", topicFilter, qos,
				(topic, message) -> this.received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
	}

	/**
	 * Connects a new MQTT 3.1.1 client with a client id of its own and subscribes it;
	 * once more, with a new client, when the broker closed the connection before it
	 * acknowledged the subscription: Moquette, under load, may take a SUBSCRIBE that
	 * closely follows its CONNACK for one on a connection not yet made, and close it.
	 * @param brokerUrl the broker
	 * @param clientIdPrefix the start of the client id
	 * @param topicFilter what to subscribe to
	 * @param qos at which QoS
	 * @param listener what receives the messages
	 * @return the connected and subscribed client
	 * @throws MqttException when it could not connect or subscribe
	 */
	static MqttClient connectAndSubscribe(String brokerUrl, String clientIdPrefix, String topicFilter, int qos,
			IMqttMessageListener listener) throws MqttException {
		for (int attempt = 1;; attempt++) {
			MqttClient client = new MqttClient(brokerUrl, clientIdPrefix + System.nanoTime(), new MemoryPersistence());
			try {
				MqttConnectOptions options = new MqttConnectOptions();
				options.setConnectionTimeout(5);
				client.connect(options);
				client.subscribe(topicFilter, qos, listener);
				return client;
			}
			catch (MqttException ex) {
				client.close(true);
				if (ex.getReasonCode() != MqttException.REASON_CODE_CONNECTION_LOST || attempt == 3) {
					throw ex;
				}
			}
		}
	}

	List<String> received() {
		return List.copyOf(this.received);
	}

	@Override
	public void close() throws MqttException {
		this.client.disconnectForcibly(0, 1000);
		this.client.close();
	}

}
