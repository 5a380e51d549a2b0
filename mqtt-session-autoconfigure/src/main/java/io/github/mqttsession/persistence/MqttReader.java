package io.github.mqttsession.persistence;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads MQTT's data types (MQTT 5, 1.5) from the bytes of a persisted packet, front to
 * back.
 * <p>
 * Internal: public only so that the Paho packet codec reads packets as the expiry reads
 * property blocks.
 */
public final class MqttReader {

	private final byte[] bytes;

	private int position;

	/**
	 * Reads from the start of an array.
	 * @param bytes the bytes
	 */
	public MqttReader(byte[] bytes) {
		this.bytes = bytes;
	}

	/**
	 * Where the next read starts.
	 * @return the offset
	 */
	public int position() {
		return this.position;
	}

	/**
	 * How many bytes there are in all.
	 * @return the length
	 */
	public int length() {
		return this.bytes.length;
	}

	/**
	 * Reads one byte.
	 * @return the byte, 0..255
	 * @throws IllegalArgumentException when the bytes end
	 */
	public int readByte() {
		if (this.position >= this.bytes.length) {
			throw new IllegalArgumentException("Persisted MQTT packet ends after " + this.position + " bytes");
		}
		return this.bytes[this.position++] & 0xff;
	}

	/**
	 * Reads a two byte integer.
	 * @return the value
	 */
	public int readUnsignedShort() {
		return (readByte() << 8) | readByte();
	}

	/**
	 * Reads a variable byte integer.
	 * @return the value
	 */
	public int readVariableByteInteger() {
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

	/**
	 * Reads a UTF-8 string with its two byte length.
	 * @return the string
	 */
	public String readString() {
		int length = readUnsignedShort();
		if (this.position + length > this.bytes.length) {
			throw new IllegalArgumentException("Persisted MQTT packet ends inside a string");
		}
		String value = new String(this.bytes, this.position, length, StandardCharsets.UTF_8);
		this.position += length;
		return value;
	}

	/**
	 * Steps over bytes.
	 * @param length how many
	 */
	public void skip(int length) {
		this.position += length;
	}

	/**
	 * A copy of the bytes not read yet.
	 * @return the bytes
	 */
	public byte[] remaining() {
		return Arrays.copyOfRange(this.bytes, Math.min(this.position, this.bytes.length), this.bytes.length);
	}

}
