package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

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
		this.client = new MqttClient(brokerUrl, "subscriber-" + System.nanoTime(), new MemoryPersistence());
		MqttConnectOptions options = new MqttConnectOptions();
		options.setConnectionTimeout(5);
		this.client.connect(options);
		this.client.subscribe(topicFilter, qos,
				(topic, message) -> this.received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
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
