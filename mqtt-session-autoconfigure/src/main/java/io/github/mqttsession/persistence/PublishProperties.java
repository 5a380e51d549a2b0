package io.github.mqttsession.persistence;

/**
 * The message expiry interval in the MQTT 5 property block of a PUBLISH (MQTT 5,
 * 3.3.2.3.3), read and replaced in place in the block as
 * {@link io.github.mqttsession.store.PendingMessage#properties()} keeps it.
 */
final class PublishProperties {

	// The properties a PUBLISH may carry (MQTT 5, 3.3.2.3), by identifier.

	private static final int PAYLOAD_FORMAT_INDICATOR = 0x01;

	private static final int MESSAGE_EXPIRY_INTERVAL = 0x02;

	private static final int CONTENT_TYPE = 0x03;

	private static final int RESPONSE_TOPIC = 0x08;

	private static final int CORRELATION_DATA = 0x09;

	private static final int SUBSCRIPTION_IDENTIFIER = 0x0b;

	private static final int TOPIC_ALIAS = 0x23;

	private static final int USER_PROPERTY = 0x26;

	private PublishProperties() {
	}

	/**
	 * The MQTT 5 message expiry interval a publish's property block carries.
	 * @param properties the property block, length prefix included, as in
	 * {@link PendingMessage#properties()}
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
	 * A property block with its message expiry interval replaced; the value has a fixed
	 * size, so nothing else of the block, nor the packet's length, changes.
	 * @param properties the property block, length prefix included
	 * @param seconds the new interval
	 * @return a copy with the new interval, or the block itself when it carries no
	 * interval
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
	 * Where the four bytes of the message expiry interval start in a PUBLISH's property
	 * block, or -1 when it has none (or a property a PUBLISH does not carry, which this
	 * reader cannot step over).
	 */
	private static int messageExpiryIntervalOffset(byte[] properties) {
		if (properties.length == 0) {
			return -1;
		}
		try {
			return findMessageExpiryInterval(new MqttReader(properties));
		}
		catch (IllegalArgumentException ex) {
			return -1;
		}
	}

	private static int findMessageExpiryInterval(MqttReader reader) {
		int end = reader.readVariableByteInteger() + reader.position();
		while (reader.position() < end) {
			int identifier = reader.readVariableByteInteger();
			switch (identifier) {
				case MESSAGE_EXPIRY_INTERVAL -> {
					return (reader.position() + 4 <= reader.length()) ? reader.position() : -1;
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

}
