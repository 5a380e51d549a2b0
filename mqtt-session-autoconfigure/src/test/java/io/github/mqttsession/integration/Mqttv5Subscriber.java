package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A plain Paho MQTT 5 client, connected straight to the broker, that records the payloads
 * it receives on a topic with the message expiry interval each arrived with.
 */
final class Mqttv5Subscriber implements AutoCloseable {

	/** Recorded for a message that arrived without an expiry interval. */
	static final long NO_EXPIRY = -1;

	private final MqttClient client;

	private final Map<String, Long> received = new ConcurrentHashMap<>();

	Mqttv5Subscriber(String brokerUrl, String topicFilter, int qos) throws MqttException {
		this.client = new MqttClient(brokerUrl, "subscriber5-" + System.nanoTime(), new MemoryPersistence());
		this.client.setCallback(new Recorder());
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setConnectionTimeout(5);
		this.client.connect(options);
		this.client.subscribe(topicFilter, qos);
	}

	/**
	 * What arrived, by payload.
	 * @return the message expiry interval each payload arrived with, {@link #NO_EXPIRY}
	 * for none
	 */
	Map<String, Long> received() {
		return Map.copyOf(this.received);
	}

	@Override
	public void close() throws MqttException {
		this.client.disconnectForcibly(0, 1000);
		this.client.close();
	}

	private final class Recorder implements MqttCallback {

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			Long interval = message.getProperties().getMessageExpiryInterval();
			Mqttv5Subscriber.this.received.put(new String(message.getPayload(), StandardCharsets.UTF_8),
					(interval != null) ? interval : NO_EXPIRY);
		}

		@Override
		public void disconnected(MqttDisconnectResponse disconnectResponse) {
		}

		@Override
		public void mqttErrorOccurred(MqttException exception) {
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
		}

	}

}
