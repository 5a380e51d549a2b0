package io.github.mqttsession.paho;

import io.github.mqttsession.store.PendingMessage;

/**
 * Paho's MQTT 3.1.1 outbound messages as
 * {@link PendingMessage.State#TRANSACTIONAL_OUTBOX} records and back: what a send inside
 * the application's transaction stores, and what the client publishes after the commit.
 */
public final class Mqttv3OutboxMessages {

	private Mqttv3OutboxMessages() {
	}

	/**
	 * The record of an MQTT 3.1.1 message.
	 * @param topic the topic
	 * @param message the message
	 * @param number the record's number among the session's outbox records
	 * @return the record
	 */
	public static PendingMessage of(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message, int number) {
		return new PendingMessage(PendingMessage.State.TRANSACTIONAL_OUTBOX, number, topic, message.getPayload(),
				message.getQos(), message.isRetained());
	}

	/**
	 * The MQTT 3.1.1 message of a record.
	 * @param record the record
	 * @return the message, to publish to the record's topic
	 */
	public static org.eclipse.paho.client.mqttv3.MqttMessage message(PendingMessage record) {
		org.eclipse.paho.client.mqttv3.MqttMessage message = new org.eclipse.paho.client.mqttv3.MqttMessage(
				record.payload());
		message.setQos(record.qos());
		message.setRetained(record.retained());
		return message;
	}

}
