package io.github.mqttsession.paho;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.github.mqttsession.store.PendingMessage;

/**
 * Turns the packets Paho persists (a PUBLISH or a PUBREL, split in header and payload bytes) into
 * {@link PendingMessage}s with readable topic, QoS and payload, and back, byte for byte.
 * <p>
 * The header Paho persists is the packet's fixed header, its remaining length and its variable header: topic,
 * packet id and, on MQTT 5, the property block. A PUBLISH keeps its MQTT 5 property block, length prefix included,
 * in {@link PendingMessage#properties()}; a PUBREL keeps there whatever follows its packet id (an MQTT 5 reason
 * code and properties). The packet id comes from Paho's key, since a QoS 0 PUBLISH carries none.
 */
final class PahoPacketCodec {

	private static final int PUBLISH = 3;

	private static final int PUBREL = 6;

	private static final byte[] NO_PROPERTIES = { 0 };

	// The properties a PUBLISH may carry (MQTT 5, 3.3.2.3), by identifier.

	private static final int PAYLOAD_FORMAT_INDICATOR = 0x01;

	private static final int MESSAGE_EXPIRY_INTERVAL = 0x02;

	private static final int CONTENT_TYPE = 0x03;

	private static final int RESPONSE_TOPIC = 0x08;

	private static final int CORRELATION_DATA = 0x09;

	private static final int SUBSCRIPTION_IDENTIFIER = 0x0b;

	private static final int TOPIC_ALIAS = 0x23;

	private static final int USER_PROPERTY = 0x26;

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
	PendingMessage decode(PahoKey key, byte[] header, byte[] payload) {
		Reader reader = new Reader(header);
		int first = reader.readByte();
		int type = (first >> 4) & 0x0f;
		boolean duplicate = (first & 0x08) != 0;
		reader.readVariableByteInteger();
		if (key.state() == PendingMessage.State.OUTBOUND_PUBREL) {
			require(type == PUBREL, key, type);
			reader.readUnsignedShort();
			return new PendingMessage(key.state(), key.packetId(), null, null, 2, false, duplicate,
					reader.remaining());
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
			int start = reader.position;
			int length = reader.readVariableByteInteger();
			reader.position += length;
			properties = Arrays.copyOfRange(header, start, reader.position);
		}
		byte[] rest = reader.remaining();
		byte[] fullPayload = (rest.length == 0) ? payload : concat(rest, payload);
		return new PendingMessage(key.state(), key.packetId(), topic, fullPayload, qos, retained, duplicate,
				properties);
	}

	/**
	 * Writes the header bytes Paho persisted for a message; {@link PendingMessage#payload()} is the rest.
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

	/**
	 * The MQTT 5 message expiry interval a publish's property block carries.
	 * @param properties the property block, length prefix included, as in {@link PendingMessage#properties()}
	 * @return the interval in seconds, or -1 when the block has none
	 */
	static long messageExpiryInterval(byte[] properties) {
		int offset = messageExpiryIntervalOffset(properties);
		if (offset < 0) {
			return -1;
		}
		return ((properties[offset] & 0xffL) << 24) | ((properties[offset + 1] & 0xffL) << 16)
				| ((properties[offset + 2] & 0xffL) << 8) | (properties[offset + 3] & 0xffL);
	}

	/**
	 * A property block with its message expiry interval replaced; the value has a fixed size, so nothing else of
	 * the block, nor the packet's length, changes.
	 * @param properties the property block, length prefix included
	 * @param seconds the new interval
	 * @return a copy with the new interval, or the block itself when it carries no interval
	 */
	static byte[] withMessageExpiryInterval(byte[] properties, long seconds) {
		int offset = messageExpiryIntervalOffset(properties);
		if (offset < 0) {
			return properties;
		}
		byte[] changed = properties.clone();
		changed[offset] = (byte) (seconds >>> 24);
		changed[offset + 1] = (byte) (seconds >>> 16);
		changed[offset + 2] = (byte) (seconds >>> 8);
		changed[offset + 3] = (byte) seconds;
		return changed;
	}

	/**
	 * Where the four bytes of the message expiry interval start in a PUBLISH's property block, or -1 when it has
	 * none (or a property a PUBLISH does not carry, which this reader cannot step over).
	 */
	private static int messageExpiryIntervalOffset(byte[] properties) {
		if (properties.length == 0) {
			return -1;
		}
		try {
			return findMessageExpiryInterval(new Reader(properties));
		}
		catch (IllegalArgumentException ex) {
			return -1;
		}
	}

	private static int findMessageExpiryInterval(Reader reader) {
		int end = reader.readVariableByteInteger() + reader.position;
		while (reader.position < end) {
			int identifier = reader.readVariableByteInteger();
			switch (identifier) {
				case MESSAGE_EXPIRY_INTERVAL -> {
					return (reader.position + 4 <= reader.bytes.length) ? reader.position : -1;
				}
				case PAYLOAD_FORMAT_INDICATOR -> reader.skip(1);
				case TOPIC_ALIAS -> reader.skip(2);
				case SUBSCRIPTION_IDENTIFIER -> reader.readVariableByteInteger();
				case RESPONSE_TOPIC, CORRELATION_DATA, CONTENT_TYPE -> reader.skip(reader.readUnsignedShort());
				case USER_PROPERTY -> {
					reader.skip(reader.readUnsignedShort());
					reader.skip(reader.readUnsignedShort());
				}
				default -> {
					return -1;
				}
			}
		}
		return -1;
	}

	private static void require(boolean condition, PahoKey key, int type) {
		if (!condition) {
			throw new IllegalArgumentException(
					"Paho persisted an MQTT packet of type " + type + " under key " + key + ", which names a " + key.state());
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

	/** Reads MQTT's data types from a byte array. */
	private static final class Reader {

		private final byte[] bytes;

		private int position;

		Reader(byte[] bytes) {
			this.bytes = bytes;
		}

		int readByte() {
			if (this.position >= this.bytes.length) {
				throw new IllegalArgumentException("Persisted MQTT packet ends after " + this.position + " bytes");
			}
			return this.bytes[this.position++] & 0xff;
		}

		int readUnsignedShort() {
			return (readByte() << 8) | readByte();
		}

		int readVariableByteInteger() {
			int value = 0;
			int multiplier = 1;
			int digit;
			do {
				digit = readByte();
				value += (digit & 0x7f) * multiplier;
				multiplier *= 128;
			}
			while ((digit & 0x80) != 0);
			return value;
		}

		String readString() {
			int length = readUnsignedShort();
			if (this.position + length > this.bytes.length) {
				throw new IllegalArgumentException("Persisted MQTT packet ends inside its topic");
			}
			String value = new String(this.bytes, this.position, length, StandardCharsets.UTF_8);
			this.position += length;
			return value;
		}

		void skip(int length) {
			this.position += length;
		}

		byte[] remaining() {
			return Arrays.copyOfRange(this.bytes, Math.min(this.position, this.bytes.length), this.bytes.length);
		}

	}

}
