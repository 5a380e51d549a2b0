package io.github.mqttsession.paho;

import io.github.mqttsession.persistence.OfflineBuffer;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;

/**
 * The offline buffer of a Paho MQTT 3.1.1 client. Its entries are known by the
 * {@code MqttMessage} the publisher handed over, which Paho keeps as it is.
 */
final class Mqttv3OfflineBuffer implements OfflineBuffer {

	private final MqttAsyncClient client;

	private final int maxInflight;

	Mqttv3OfflineBuffer(MqttAsyncClient client, int maxInflight) {
		this.client = client;
		this.maxInflight = maxInflight;
	}

	@Override
	public boolean isConnected() {
		return this.client.isConnected();
	}

	@Override
	public boolean mayHoldFirst() {
		// Paho 3's drain takes the first entry, then waits while it holds it until fewer
		// than maxInflight - 3 messages are in flight, counted from before the connection
		// dropped: it may still wait from an earlier one.
		return this.client.getInFlightMessageCount() >= this.maxInflight - 3;
	}

	@Override
	public int size() {
		return this.client.getBufferedMessageCount();
	}

	@Override
	public Object identity(int index) {
		return this.client.getBufferedMessage(index);
	}

	@Override
	public void delete(int index) {
		this.client.deleteBufferedMessage(index);
	}

	@Override
	public void expiresIn(int index, long seconds) {
		// MQTT 3.1.1 messages carry no expiry.
	}

}
