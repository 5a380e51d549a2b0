package io.github.mqttsession.paho;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import io.github.mqttsession.store.PendingMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;

/**
 * Paho's MQTT 5 outbound messages as {@link PendingMessage.State#TRANSACTIONAL_OUTBOX}
 * records and back: what a send inside the application's transaction stores, and what the
 * client publishes after the commit. A message keeps its properties, encoded as Paho
 * encodes them on the wire.
 */
public final class Mqttv5OutboxMessages {

	private static final PahoPacketCodec MQTT5 = new PahoPacketCodec(true);

	private static final byte[] NO_PROPERTIES = { 0 };

	private Mqttv5OutboxMessages() {
	}

	/**
	 * The record of an MQTT 5 message, with its properties.
	 * @param topic the topic
	 * @param message the message
	 * @param number the record's number among the session's outbox records
	 * @return the record
	 * @throws org.eclipse.paho.mqttv5.common.MqttException when Paho cannot encode the
	 * message's properties
	 */
	public static PendingMessage of(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message, int number)
			throws org.eclipse.paho.mqttv5.common.MqttException {
		MqttPublish publish = new MqttPublish(topic, message, message.getProperties());
		return MQTT5.decode(new PendingMessage.Key(PendingMessage.State.TRANSACTIONAL_OUTBOX, number),
				publish.getHeader(), publish.getPayload());
	}

	/**
	 * The MQTT 5 message of a record, with its properties.
	 * @param record the record
	 * @return the message, to publish to the record's topic
	 * @throws org.eclipse.paho.mqttv5.common.MqttException when Paho cannot decode the
	 * record's properties
	 */
	public static org.eclipse.paho.mqttv5.common.MqttMessage message(PendingMessage record)
			throws org.eclipse.paho.mqttv5.common.MqttException {
		ByteArrayOutputStream data = new ByteArrayOutputStream();
		byte[] topic = record.topic().getBytes(StandardCharsets.UTF_8);
		data.write(topic.length >> 8);
		data.write(topic.length & 0xff);
		data.writeBytes(topic);
		if (record.qos() > 0) {
			data.write(0);
			data.write(1);
		}
		byte[] properties = record.properties();
		data.writeBytes((properties.length > 0) ? properties : NO_PROPERTIES);
		data.writeBytes(record.payload());
		byte info = (byte) ((record.qos() << 1) | (record.retained() ? 0x01 : 0));
		try {
			MqttPublish publish = new MqttPublish(info, data.toByteArray());
			org.eclipse.paho.mqttv5.common.MqttMessage message = new org.eclipse.paho.mqttv5.common.MqttMessage(
					record.payload(), record.qos(), record.retained(), publish.getProperties());
			return message;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read the MQTT 5 properties of " + record, ex);
		}
	}

}
