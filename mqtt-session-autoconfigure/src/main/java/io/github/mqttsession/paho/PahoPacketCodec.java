package io.github.mqttsession.paho;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.mqttsession.persistence.MqttReader;
import io.github.mqttsession.store.PendingMessage;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;

/**
 * Turns the packets Paho persists (a PUBLISH or a PUBREL, split in header and payload
 * bytes) into {@link PendingMessage}s with readable topic, QoS and payload, and back,
 * byte for byte.
 * <p>
 * The header Paho persists is the packet's fixed header, its remaining length and its
 * variable header: topic, packet id and, on MQTT 5, the property block. A PUBLISH keeps
 * its MQTT 5 property block, length prefix included, in
 * {@link PendingMessage#properties()}; a PUBREL keeps there whatever follows its packet
 * id (an MQTT 5 reason code and properties). The packet id comes from Paho's key, since a
 * QoS 0 PUBLISH carries none.
 */
final class PahoPacketCodec {

	private static final int PUBLISH = 3;

	private static final int PUBREL = 6;

	private static final byte[] NO_PROPERTIES = { 0 };

	private final boolean mqtt5;

	/**
	 * Creates a codec for one protocol version.
	 * @param mqtt5 whether packets are MQTT 5 (with property blocks) or MQTT 3.1.1
	 */
	PahoPacketCodec(boolean mqtt5) {
		this.mqtt5 = mqtt5;
	}

	/**
	 * Reads a persisted packet.
	 * @param key Paho's key, which gives the state and packet id
	 * @param header the header bytes
	 * @param payload the payload bytes
	 * @return the pending message
	 * @throws IllegalArgumentException when the bytes are not the packet the key names
	 */
	PendingMessage decode(PendingMessage.Key key, byte[] header, byte[] payload) {
		MqttReader reader = new MqttReader(header);
		int first = reader.readByte();
		int type = (first >> 4) & 0x0f;
		boolean duplicate = (first & 0x08) != 0;
		reader.readVariableByteInteger();
		if (key.state() == PendingMessage.State.OUTBOUND_PUBREL) {
			require(type == PUBREL, key, type);
			reader.readUnsignedShort();
			return new PendingMessage(key.state(), key.packetId(), null, null, 2, false, duplicate, reader.remaining());
		}
		require(type == PUBLISH, key, type);
		int qos = (first >> 1) & 0x03;
		boolean retained = (first & 0x01) != 0;
		String topic = reader.readString();
		if (qos > 0) {
			reader.readUnsignedShort();
		}
		byte[] properties = null;
		if (this.mqtt5) {
			int start = reader.position();
			reader.skip(reader.readVariableByteInteger());
			properties = Arrays.copyOfRange(header, start, reader.position());
		}
		byte[] rest = reader.remaining();
		byte[] fullPayload = (rest.length == 0) ? payload : concat(rest, payload);
		return new PendingMessage(key.state(), key.packetId(), topic, fullPayload, qos, retained, duplicate,
				properties);
	}

	/**
	 * Reads an MQTT 3.1.1 PUBLISH from the fields of Paho's packet and its message, as
	 * {@link #decode} reads them from its header, without encoding the header.
	 * @param key Paho's key, which gives the state and packet id
	 * @param publish the packet
	 * @return the pending message
	 * @throws IllegalArgumentException when the key names no PUBLISH
	 */
	PendingMessage publish(PendingMessage.Key key, MqttPublish publish) {
		require(key.state() != PendingMessage.State.OUTBOUND_PUBREL, key, PUBLISH);
		MqttMessage message = publish.getMessage();
		return new PendingMessage(key.state(), key.packetId(), publish.getTopicName(), message.getPayload(),
				message.getQos(), message.isRetained(), message.isDuplicate(), null);
	}

	/**
	 * Writes the header bytes Paho persisted for a message;
	 * {@link PendingMessage#payload()} is the rest.
	 * @param message the message
	 * @return the header bytes
	 */
	byte[] encodeHeader(PendingMessage message) {
		ByteArrayOutputStream variableHeader = new ByteArrayOutputStream();
		int first;
		byte[] properties = message.properties();
		if (message.state() == PendingMessage.State.OUTBOUND_PUBREL) {
			first = (PUBREL << 4) | 0x02;
			writeShort(variableHeader, message.packetId());
			variableHeader.writeBytes(properties);
		}
		else {
			first = (PUBLISH << 4) | (message.qos() << 1) | (message.retained() ? 0x01 : 0);
			byte[] topic = message.topic().getBytes(StandardCharsets.UTF_8);
			writeShort(variableHeader, topic.length);
			variableHeader.writeBytes(topic);
			if (message.qos() > 0) {
				writeShort(variableHeader, message.packetId());
			}
			if (this.mqtt5) {
				variableHeader.writeBytes((properties.length > 0) ? properties : NO_PROPERTIES);
			}
		}
		if (message.duplicate()) {
			first |= 0x08;
		}
		ByteArrayOutputStream header = new ByteArrayOutputStream(variableHeader.size() + 5);
		header.write(first);
		writeVariableByteInteger(header, variableHeader.size() + message.payloadLength());
		header.writeBytes(variableHeader.toByteArray());
		return header.toByteArray();
	}

	private static void require(boolean condition, PendingMessage.Key key, int type) {
		if (!condition) {
			throw new IllegalArgumentException("Paho persisted an MQTT packet of type " + type + " under key "
					+ PahoKey.of(key) + ", which names a " + key.state());
		}
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] result = Arrays.copyOf(first, first.length + second.length);
		System.arraycopy(second, 0, result, first.length, second.length);
		return result;
	}

	private static void writeShort(ByteArrayOutputStream out, int value) {
		out.write((value >> 8) & 0xff);
		out.write(value & 0xff);
	}

	private static void writeVariableByteInteger(ByteArrayOutputStream out, int value) {
		int remaining = value;
		do {
			int digit = remaining % 128;
			remaining /= 128;
			out.write((remaining > 0) ? (digit | 0x80) : digit);
		}
		while (remaining > 0);
	}

}
