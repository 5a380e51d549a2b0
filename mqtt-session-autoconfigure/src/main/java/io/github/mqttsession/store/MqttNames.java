package io.github.mqttsession.store;

/**
 * Validation of the names MQTT puts on the wire: client ids, topic filters and topic
 * names, and QoS levels. Each check throws {@link IllegalArgumentException} with a
 * message that names the value and the rule.
 */
public final class MqttNames {

	/** The longest UTF-8 encoded string MQTT allows (a two-byte length prefix). */
	public static final int MAX_UTF8_BYTES = 65_535;

	private MqttNames() {
	}

	/**
	 * Checks a client id: not blank and at most {@code maxUtf8Bytes} bytes in UTF-8.
	 * @param clientId the client id
	 * @param maxUtf8Bytes the longest accepted id in UTF-8 bytes
	 * @return the client id
	 */
	public static String requireValidClientId(String clientId, int maxUtf8Bytes) {
		if (clientId == null || clientId.isBlank()) {
			throw new IllegalArgumentException("Client id must not be blank, but was " + quote(clientId));
		}
		requireWellFormed("Client id", clientId, false);
		return requireUtf8Length("Client id", clientId, maxUtf8Bytes);
	}

	/**
	 * Checks a client id against the MQTT limit of 65,535 UTF-8 bytes.
	 * @param clientId the client id
	 * @return the client id
	 */
	public static String requireValidClientId(String clientId) {
		return requireValidClientId(clientId, MAX_UTF8_BYTES);
	}

	/**
	 * Checks a QoS level: 0, 1 or 2.
	 * @param qos the QoS level
	 * @return the QoS level
	 */
	public static int requireValidQos(int qos) {
		if (qos < 0 || qos > 2) {
			throw new IllegalArgumentException("QoS " + qos + " is not valid; QoS must be 0, 1 or 2");
		}
		return qos;
	}

	/**
	 * Checks the last packet id a session used: 0..65,535, where 0 means none used yet.
	 * @param packetId the packet id
	 * @return the packet id
	 */
	public static int requireValidSessionPacketId(int packetId) {
		if (packetId < 0 || packetId > 65_535) {
			throw new IllegalArgumentException(
					"Session packet id " + packetId + " is not valid; it must be 0..65535 (0: none used yet)");
		}
		return packetId;
	}

	/**
	 * Checks a topic filter per MQTT: not empty, no NUL, {@code #} only as the whole last
	 * level, {@code +} only as a whole level, at most 65,535 UTF-8 bytes.
	 * @param topicFilter the topic filter
	 * @return the topic filter
	 */
	public static String requireValidTopicFilter(String topicFilter) {
		requireValidTopicString("Topic filter", topicFilter);
		String[] levels = topicFilter.split("/", -1);
		for (int i = 0; i < levels.length; i++) {
			String level = levels[i];
			if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
				throw new IllegalArgumentException("Topic filter '" + abbreviate(topicFilter)
						+ "' is not valid: '#' is allowed only as the whole last level, as in 'sensors/#'");
			}
			if (level.contains("+") && !level.equals("+")) {
				throw new IllegalArgumentException("Topic filter '" + abbreviate(topicFilter)
						+ "' is not valid: '+' is allowed only as a whole level, as in 'sensors/+/temperature'");
			}
		}
		return topicFilter;
	}

	/**
	 * Checks a topic name (what a message is published to): like a filter, but with no
	 * wildcards.
	 * @param topic the topic name
	 * @return the topic name
	 */
	public static String requireValidTopicName(String topic) {
		requireValidTopicString("Topic name", topic);
		if (topic.indexOf('#') >= 0 || topic.indexOf('+') >= 0) {
			throw new IllegalArgumentException("Topic name '" + abbreviate(topic)
					+ "' is not valid: a message's topic must not contain the wildcards '#' or '+'");
		}
		return topic;
	}

	private static void requireValidTopicString(String what, String topic) {
		if (topic == null || topic.isEmpty()) {
			throw new IllegalArgumentException(what + " must not be empty, but was " + quote(topic));
		}
		requireValidUtf8(what, topic);
	}

	/**
	 * Checks a string MQTT carries as UTF-8, such as a user name or an MQTT 5 user
	 * property (MQTT 5, 1.5.4): no NUL character, no lone UTF-16 surrogate (which UTF-8
	 * cannot encode: Java would send {@code ?} in its place, a different string than the
	 * one given), and at most 65,535 bytes.
	 * @param what what the string is, for the message, such as {@code "User name"}
	 * @param value the string
	 * @return the string
	 */
	public static String requireValidUtf8(String what, String value) {
		return requireValidText(what, value, false);
	}

	/**
	 * Checks text that MQTT carries as binary data with a two-byte length once encoded in
	 * UTF-8, such as a password or a will message's payload: no lone UTF-16 surrogate
	 * (Java would encode {@code ?} in its place, different bytes than the ones
	 * configured), and at most 65,535 bytes. A NUL character is allowed: binary data may
	 * hold any byte.
	 * @param what what the text is, for the message, such as {@code "Password"}
	 * @param value the text
	 * @return the text
	 */
	public static String requireValidBinaryText(String what, String value) {
		return requireValidText(what, value, true);
	}

	private static String requireValidText(String what, String value, boolean nulAllowed) {
		if (value == null) {
			throw new IllegalArgumentException(what + " must not be null");
		}
		requireWellFormed(what, value, nulAllowed);
		return requireUtf8Length(what, value, MAX_UTF8_BYTES);
	}

	private static String requireUtf8Length(String what, String value, int maxUtf8Bytes) {
		int length = utf8Length(value);
		if (length > maxUtf8Bytes) {
			throw new IllegalArgumentException(what + " '" + abbreviate(value) + "' is " + length
					+ " UTF-8 bytes long; at most " + maxUtf8Bytes + " bytes are allowed");
		}
		return value;
	}

	/**
	 * Fails for a lone surrogate, which MQTT's UTF-8 strings must not hold, and for a NUL
	 * character unless the text is carried as binary data.
	 */
	private static void requireWellFormed(String what, String value, boolean nulAllowed) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\u0000' && !nulAllowed) {
				throw new IllegalArgumentException(what + " '" + abbreviate(printable(value))
						+ "' must not contain the NUL character (U+0000), found at index " + i);
			}
			if (isSurrogatePairAt(value, i)) {
				i++;
			}
			else if (Character.isSurrogate(c)) {
				throw new IllegalArgumentException(what + " '" + abbreviate(printable(value))
						+ "' holds a lone UTF-16 surrogate " + String.format("U+%04X", (int) c) + " at index " + i
						+ ", which is not a character and has no UTF-8 encoding; MQTT strings must be well-formed UTF-8");
			}
		}
	}

	/**
	 * The string with NUL characters and lone surrogates written as escapes, for a
	 * message.
	 */
	private static String printable(String value) {
		StringBuilder printable = new StringBuilder(value.length());
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (isSurrogatePairAt(value, i)) {
				printable.append(c).append(value.charAt(++i));
			}
			else if (c == '\u0000' || Character.isSurrogate(c)) {
				printable.append(String.format("\\u%04X", (int) c));
			}
			else {
				printable.append(c);
			}
		}
		return printable.toString();
	}

	/** Whether a high and a low surrogate, one code point, start at an index. */
	private static boolean isSurrogatePairAt(String value, int i) {
		return Character.isHighSurrogate(value.charAt(i)) && i + 1 < value.length()
				&& Character.isLowSurrogate(value.charAt(i + 1));
	}

	/**
	 * The length of a string in UTF-8 bytes.
	 * @param value the string
	 * @return its UTF-8 length
	 */
	public static int utf8Length(String value) {
		// Counted, not encoded: this runs on every store operation
		int length = value.length();
		int bytes = length;
		for (int i = 0; i < length; i++) {
			char c = value.charAt(i);
			if (c < 0x80) {
				continue;
			}
			if (c < 0x800) {
				bytes += 1;
			}
			else if (isSurrogatePairAt(value, i)) {
				// A pair is one code point of 4 bytes
				bytes += 2;
				i++;
			}
			else if (!Character.isSurrogate(c)) {
				bytes += 2;
			}
			// A lone surrogate is encoded as '?', one byte
		}
		return bytes;
	}

	private static String quote(String value) {
		return (value != null) ? "'" + value + "'" : "null";
	}

	/** Long values are cut in messages so that a log line stays readable. */
	static String abbreviate(String value) {
		return (value.length() <= 80) ? value : value.substring(0, 60) + "…(" + value.length() + " characters)";
	}

}
