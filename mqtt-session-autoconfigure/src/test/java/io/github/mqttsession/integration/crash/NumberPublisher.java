package io.github.mqttsession.integration.crash;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.github.mqttsession.testsupport.HiveMqExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client connected straight to the broker that publishes with QoS 2, each
 * publish returning once the broker completed it.
 */
final class NumberPublisher implements AutoCloseable {

	private final MqttClient client;

	private final String topic;

	NumberPublisher(String topic) throws MqttException {
		this.client = new MqttClient(HiveMqExtension.url(), "crash-inbound-publisher-" + UUID.randomUUID(),
				new MemoryPersistence());
		this.topic = topic;
		MqttConnectOptions options = new MqttConnectOptions();
		options.setConnectionTimeout(5);
		this.client.connect(options);
	}

	void publish(int first, int last) throws MqttException {
		for (int number = first; number <= last; number++) {
			publish(Integer.toString(number));
		}
	}

	void publish(String payload) throws MqttException {
		this.client.publish(this.topic, payload.getBytes(StandardCharsets.UTF_8), 2, false);
	}

	@Override
	public void close() throws MqttException {
		try {
			this.client.disconnectForcibly(0, 1000);
		}
		finally {
			this.client.close();
		}
	}

}
