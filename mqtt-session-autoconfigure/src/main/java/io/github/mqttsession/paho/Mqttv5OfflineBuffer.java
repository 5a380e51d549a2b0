package io.github.mqttsession.paho;

import io.github.mqttsession.persistence.OfflineBuffer;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;

/**
 * The offline buffer of a Paho MQTT 5 client. Paho hands out a new message for an entry
 * every time, but around the property object of the stored publish, which it keeps as it
 * is: that object is the entry's identity, and setting the expiry interval on it changes
 * the publish that will be sent.
 */
final class Mqttv5OfflineBuffer implements OfflineBuffer {

	private final MqttAsyncClient client;

	Mqttv5OfflineBuffer(MqttAsyncClient client) {
		this.client = client;
	}

	@Override
	public boolean isConnected() {
		return this.client.isConnected();
	}

	@Override
	public boolean mayHoldFirst() {
		// Paho 5's drain takes the first entry afresh for every attempt to send it.
		return false;
	}

	@Override
	public int size() {
		return this.client.getBufferedMessageCount();
	}

	@Override
	public Object identity(int index) {
		return this.client.getBufferedMessage(index).getProperties();
	}

	@Override
	public void delete(int index) {
		this.client.deleteBufferedMessage(index);
	}

	@Override
	public void expiresIn(int index, long seconds) {
		this.client.getBufferedMessage(index).getProperties().setMessageExpiryInterval(seconds);
	}

}
