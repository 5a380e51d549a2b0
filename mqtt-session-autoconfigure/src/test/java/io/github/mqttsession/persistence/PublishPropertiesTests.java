package io.github.mqttsession.persistence;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.List;

import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.MqttPublish;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The message expiry interval is found among the other properties Paho encodes, and
 * replaced in place.
 */
class PublishPropertiesTests {

	private static final Byte[] PUBLISH_PROPERTIES = { MqttProperties.PAYLOAD_FORMAT_INDICATOR_IDENTIFIER,
			MqttProperties.MESSAGE_EXPIRY_INTERVAL_IDENTIFIER, MqttProperties.TOPIC_ALIAS_IDENTIFIER,
			MqttProperties.RESPONSE_TOPIC_IDENTIFIER, MqttProperties.CORRELATION_DATA_IDENTIFIER,
			MqttProperties.USER_DEFINED_PAIR_IDENTIFIER, MqttProperties.CONTENT_TYPE_IDENTIFIER,
			MqttProperties.SUBSCRIPTION_IDENTIFIER };

	@Test
	void theMessageExpiryIntervalIsReadAndReplacedAmongTheOtherProperties() throws Exception {
		MqttProperties properties = new MqttProperties();
		properties.setPayloadFormat(true);
		properties.setContentType("application/json");
		properties.setResponseTopic("replies/1");
		properties.setCorrelationData(new byte[] { 1, 2, 3 });
		properties.setUserProperties(List.of(new UserProperty("unit", "celsius")));
		properties.setMessageExpiryInterval(4_294_967_295L);
		byte[] encoded = publishProperties(properties);
		assertThat(PublishProperties.messageExpiryInterval(encoded)).isEqualTo(4_294_967_295L);
		byte[] replaced = PublishProperties.withMessageExpiryInterval(encoded, 3597);
		assertThat(replaced).hasSameSizeAs(encoded);
		MqttProperties decoded = new MqttProperties(PUBLISH_PROPERTIES);
		decoded.decodeProperties(new DataInputStream(new ByteArrayInputStream(replaced)));
		assertThat(decoded.getMessageExpiryInterval()).isEqualTo(3597L);
		assertThat(decoded.getContentType()).isEqualTo("application/json");
		assertThat(decoded.getCorrelationData()).containsExactly(1, 2, 3);
		assertThat(decoded.getUserProperties()).containsExactly(new UserProperty("unit", "celsius"));
	}

	@Test
	void propertiesWithoutAMessageExpiryIntervalHaveNone() throws Exception {
		MqttProperties properties = new MqttProperties();
		properties.setContentType("text/plain");
		byte[] encoded = publishProperties(properties);
		assertThat(PublishProperties.messageExpiryInterval(encoded)).isEqualTo(-1);
		assertThat(PublishProperties.withMessageExpiryInterval(encoded, 10)).isSameAs(encoded);
		assertThat(PublishProperties.messageExpiryInterval(new byte[0])).isEqualTo(-1);
		assertThat(PublishProperties.messageExpiryInterval(new byte[] { 0 })).isEqualTo(-1);
	}

	/** The property block of a publish, encoded as Paho sends it. */
	private static byte[] publishProperties(MqttProperties properties) throws Exception {
		return new MqttPublish("t", new MqttMessage(), properties).getProperties().encodeProperties();
	}

}
