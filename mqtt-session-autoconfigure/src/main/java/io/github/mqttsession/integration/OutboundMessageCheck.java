package io.github.mqttsession.integration;

import java.util.List;

import io.github.mqttsession.store.MqttNames;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHeaders;

/**
 * The checks of a message sent to the outbound channel, shared by the handlers of both
 * MQTT versions. They run before the message is converted for Paho, so before anything is
 * stored, and throw an {@link IllegalArgumentException} naming the header, its value and
 * what is valid; Spring Integration wraps it in a
 * {@link org.springframework.messaging.MessageHandlingException}. Without them a lone
 * surrogate in a topic would be published as {@code ?}, to another topic, and Paho would
 * refuse a QoS of 5 with no message at all.
 */
final class OutboundMessageCheck {

	/** MQTT 5 encodes the message expiry interval as a four-byte unsigned integer. */
	private static final long MAX_MESSAGE_EXPIRY_INTERVAL = 4_294_967_295L;

	private OutboundMessageCheck() {
	}

	/**
	 * Checks the headers both versions read: {@code mqtt_topic}, {@code mqtt_qos} and
	 * {@code mqtt_retained}.
	 * @param message the message sent to the outbound channel
	 * @param defaultTopic the topic of a message without a topic header; absent when none
	 * is configured
	 * @param topicFromHeader whether the handler takes the topic from the header (its
	 * default), rather than from a topic expression of the application's, which may need
	 * no header
	 * @throws IllegalArgumentException naming the header, its value and what is valid
	 */
	static void requireValidHeaders(Message<?> message, @Nullable String defaultTopic, boolean topicFromHeader) {
		MessageHeaders headers = message.getHeaders();
		Object topic = headers.get(MqttHeaders.TOPIC);
		if (topic == null && defaultTopic == null && topicFromHeader) {
			throw new IllegalArgumentException("The message has no '" + MqttHeaders.TOPIC + "' header and no default"
					+ " topic is configured; set the header to the topic to publish to, or set"
					+ " mqtt.outbound.default-topic");
		}
		if (topic != null) {
			String name = requireType(MqttHeaders.TOPIC, topic, String.class, "a String topic name");
			inHeader(MqttHeaders.TOPIC, () -> MqttNames.requireValidTopicName(name));
		}
		Object qos = headers.get(MqttHeaders.QOS);
		if (qos != null) {
			int level = requireType(MqttHeaders.QOS, qos, Integer.class, "an Integer QoS level: 0, 1 or 2");
			inHeader(MqttHeaders.QOS, () -> MqttNames.requireValidQos(level));
		}
		Object retained = headers.get(MqttHeaders.RETAINED);
		if (retained != null) {
			requireType(MqttHeaders.RETAINED, retained, Boolean.class, "a Boolean, true or false");
		}
	}

	/**
	 * Checks the topic a topic expression of the application's gave, which no header
	 * check saw.
	 * @param topic the topic the message is about to be published to
	 * @throws IllegalArgumentException naming the topic and what is valid
	 */
	static void requireValidExpressionTopic(String topic) {
		try {
			MqttNames.requireValidTopicName(topic);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(
					"The handler's topic expression gave '" + topic + "': " + ex.getMessage(), ex);
		}
	}

	/**
	 * Checks the MQTT 5 headers Spring Integration's header mapper reads by default whose
	 * values Paho checks itself while the message is converted, with a message that names
	 * neither the header nor the value: {@code mqtt_responseTopic} and
	 * {@code mqtt_messageExpiryInterval}.
	 * @param message the message sent to the outbound channel
	 * @throws IllegalArgumentException naming the header, its value and what is valid
	 */
	static void requireValidMqtt5Headers(Message<?> message) {
		MessageHeaders headers = message.getHeaders();
		if (headers.get(MqttHeaders.RESPONSE_TOPIC) instanceof String responseTopic) {
			// MQTT 5, 3.3.2.3.5: a response topic is a topic name, without wildcards
			inHeader(MqttHeaders.RESPONSE_TOPIC, () -> MqttNames.requireValidTopicName(responseTopic));
		}
		Object expiry = headers.get(MqttHeaders.MESSAGE_EXPIRY_INTERVAL);
		if (expiry instanceof String text) {
			try {
				requireValidExpiry(Long.parseLong(text.trim()));
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("Header '" + MqttHeaders.MESSAGE_EXPIRY_INTERVAL + "' is '" + text
						+ "', not a number; a message expiry interval is 0.." + MAX_MESSAGE_EXPIRY_INTERVAL
						+ " seconds, as a Long or a String");
			}
		}
		else if (expiry instanceof Long seconds) {
			requireValidExpiry(seconds);
		}
	}

	/**
	 * Checks the MQTT 5 properties a message is published with, whichever header mapper
	 * made them from the headers: response topic, content type, correlation data, message
	 * expiry interval and user properties.
	 * @param properties the properties of the outgoing publish
	 * @throws IllegalArgumentException naming the header, its value and what is valid
	 */
	static void requireValidProperties(@Nullable MqttProperties properties) {
		if (properties == null) {
			return;
		}
		String responseTopic = properties.getResponseTopic();
		if (responseTopic != null) {
			// MQTT 5, 3.3.2.3.5: a response topic is a topic name, without wildcards
			inHeader(MqttHeaders.RESPONSE_TOPIC, () -> MqttNames.requireValidTopicName(responseTopic));
		}
		String contentType = properties.getContentType();
		if (contentType != null) {
			inHeader(MessageHeaders.CONTENT_TYPE, () -> MqttNames.requireValidUtf8("Content type", contentType));
		}
		byte[] correlationData = properties.getCorrelationData();
		if (correlationData != null && correlationData.length > MqttNames.MAX_UTF8_BYTES) {
			throw new IllegalArgumentException(
					"Header '" + MqttHeaders.CORRELATION_DATA + "': correlation data is " + correlationData.length
							+ " bytes long; MQTT 5 allows at most " + MqttNames.MAX_UTF8_BYTES + " bytes");
		}
		Long expiry = properties.getMessageExpiryInterval();
		if (expiry != null) {
			requireValidExpiry(expiry);
		}
		List<UserProperty> userProperties = properties.getUserProperties();
		if (userProperties != null) {
			for (UserProperty property : userProperties) {
				String key = property.getKey();
				inHeader(key, () -> MqttNames.requireValidUtf8("User property name", key));
				String value = property.getValue();
				inHeader(key, () -> MqttNames.requireValidUtf8("User property '" + key + "' value", value));
			}
		}
	}

	private static void requireValidExpiry(long seconds) {
		if (seconds < 0 || seconds > MAX_MESSAGE_EXPIRY_INTERVAL) {
			throw new IllegalArgumentException("Header '" + MqttHeaders.MESSAGE_EXPIRY_INTERVAL + "' is " + seconds
					+ "; a message expiry interval is 0.." + MAX_MESSAGE_EXPIRY_INTERVAL + " seconds");
		}
	}

	private static <T> T requireType(String header, Object value, Class<T> type, String valid) {
		if (!type.isInstance(value)) {
			throw new IllegalArgumentException("Header '" + header + "' is '" + value + "' of type "
					+ value.getClass().getName() + "; it must be " + valid);
		}
		return type.cast(value);
	}

	/**
	 * Runs a check of a header's value, the header named in front of the check's message.
	 */
	private static void inHeader(String header, Runnable check) {
		try {
			check.run();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Header '" + header + "': " + ex.getMessage(), ex);
		}
	}

}
