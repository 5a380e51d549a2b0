package io.github.mqttsession.paho;

import java.nio.charset.StandardCharsets;

import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.PendingMessage;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPubRec;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPubRel;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttWireMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Packets built by Paho itself come back from the codec byte for byte, with readable
 * fields in between.
 */
class PahoPacketCodecTests {

	private final PahoPacketCodec mqtt3 = new PahoPacketCodec(false);

	private final PahoPacketCodec mqtt5 = new PahoPacketCodec(true);

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void mqtt3PublishRoundTrips(int qos) throws Exception {
		MqttPublish publish = mqtt3Publish(qos);
		publish.setDuplicate(qos == 2);
		State state = (qos == 0) ? State.OFFLINE_BUFFERED : State.OUTBOUND_PUBLISH;
		PendingMessage decoded = this.mqtt3.decode(new PendingMessage.Key(state, 4711), publish.getHeader(),
				publish.getPayload());
		assertThat(decoded.topic()).isEqualTo("häuser/küche/temp");
		assertThat(decoded.qos()).isEqualTo(qos);
		assertThat(decoded.retained()).isEqualTo(qos == 1);
		assertThat(decoded.duplicate()).isEqualTo(qos == 2);
		assertThat(new String(decoded.payload(), StandardCharsets.UTF_8)).isEqualTo("21.5 °C");
		assertThat(decoded.properties()).isEmpty();
		assertThat(this.mqtt3.encodeHeader(decoded)).isEqualTo(publish.getHeader());
		MqttWireMessage restored = MqttWireMessage
			.createWireMessage(concat(this.mqtt3.encodeHeader(decoded), decoded.payload()));
		assertThat(restored).isInstanceOf(MqttPublish.class);
		assertThat(((MqttPublish) restored).getTopicName()).isEqualTo("häuser/küche/temp");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 2 })
	void anMqtt3PublishReadFromItsFieldsEqualsTheOneDecodedFromItsHeader(int qos) throws Exception {
		MqttPublish sent = mqtt3Publish(qos);
		// As received, with the duplicate flag set: Paho sets it on the message object
		byte[] header = sent.getHeader();
		header[0] |= 0x08;
		MqttPublish received = (MqttPublish) MqttWireMessage.createWireMessage(concat(header, sent.getPayload()));
		State state = (qos == 0) ? State.OFFLINE_BUFFERED : State.OUTBOUND_PUBLISH;
		PendingMessage.Key key = new PendingMessage.Key(state, 4711);
		for (MqttPublish publish : new MqttPublish[] { sent, received }) {
			assertThat(this.mqtt3.publish(key, publish))
				.isEqualTo(this.mqtt3.decode(key, publish.getHeader(), publish.getPayload()));
		}
		assertThat(received.getMessage().isDuplicate()).isTrue();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.mqtt3.publish(new PendingMessage.Key(State.OUTBOUND_PUBREL, 4711), sent))
			.withMessageContaining("OUTBOUND_PUBREL");
	}

	/** A PUBLISH with packet id 4711, retained at QoS 1. */
	private static MqttPublish mqtt3Publish(int qos) {
		MqttMessage message = new MqttMessage("21.5 °C".getBytes(StandardCharsets.UTF_8));
		message.setQos(qos);
		message.setRetained(qos == 1);
		MqttPublish publish = new MqttPublish("häuser/küche/temp", message);
		publish.setMessageId(4711);
		return publish;
	}

	@Test
	void mqtt3PublishWithALargePayloadRoundTrips() throws Exception {
		byte[] payload = new byte[3 * 1024 * 1024];
		new java.util.Random(7).nextBytes(payload);
		MqttMessage message = new MqttMessage(payload);
		message.setQos(1);
		MqttPublish publish = new MqttPublish("big", message);
		publish.setMessageId(1);
		PendingMessage decoded = this.mqtt3.decode(new PendingMessage.Key(State.OUTBOUND_PUBLISH, 1),
				publish.getHeader(), payload);
		assertThat(decoded.payload()).isEqualTo(payload);
		assertThat(this.mqtt3.encodeHeader(decoded)).isEqualTo(publish.getHeader());
	}

	@Test
	void mqtt3PubrelRoundTrips() throws Exception {
		MqttPubRel pubrel = new MqttPubRel(new MqttPubRec((byte) 0, new byte[] { 0x01, 0x02 }));
		PendingMessage decoded = this.mqtt3.decode(new PendingMessage.Key(State.OUTBOUND_PUBREL, 258),
				pubrel.getHeader(), pubrel.getPayload());
		assertThat(decoded).isEqualTo(PendingMessage.pubrel(258));
		assertThat(this.mqtt3.encodeHeader(decoded)).isEqualTo(pubrel.getHeader());
	}

	@Test
	void mqtt5PublishWithPropertiesRoundTrips() throws Exception {
		MqttProperties properties = new MqttProperties();
		properties.setContentType("application/json");
		properties.setMessageExpiryInterval(3600L);
		properties.setUserProperties(java.util.List.of(new UserProperty("unit", "celsius")));
		properties.setResponseTopic("replies/1");
		org.eclipse.paho.mqttv5.common.MqttMessage message = new org.eclipse.paho.mqttv5.common.MqttMessage(
				"{\"t\":21.5}".getBytes(StandardCharsets.UTF_8));
		message.setQos(2);
		message.setRetained(true);
		org.eclipse.paho.mqttv5.common.packet.MqttPublish publish = new org.eclipse.paho.mqttv5.common.packet.MqttPublish(
				"rooms/kitchen", message, properties);
		publish.setMessageId(65_535);
		PendingMessage decoded = this.mqtt5.decode(new PendingMessage.Key(State.INBOUND_PUBLISH, 65_535),
				publish.getHeader(), publish.getPayload());
		assertThat(decoded.topic()).isEqualTo("rooms/kitchen");
		assertThat(decoded.qos()).isEqualTo(2);
		assertThat(decoded.retained()).isTrue();
		assertThat(decoded.properties()).isEqualTo(properties.encodeProperties());
		assertThat(this.mqtt5.encodeHeader(decoded)).isEqualTo(publish.getHeader());
		org.eclipse.paho.mqttv5.common.packet.MqttWireMessage restored = org.eclipse.paho.mqttv5.common.packet.MqttWireMessage
			.createWireMessage(concat(this.mqtt5.encodeHeader(decoded), decoded.payload()));
		assertThat(((org.eclipse.paho.mqttv5.common.packet.MqttPublish) restored).getProperties().getContentType())
			.isEqualTo("application/json");
	}

	@Test
	void mqtt5PubrelRoundTrips() throws Exception {
		org.eclipse.paho.mqttv5.common.packet.MqttPubRel pubrel = new org.eclipse.paho.mqttv5.common.packet.MqttPubRel(
				0, 99, new MqttProperties());
		PendingMessage decoded = this.mqtt5.decode(new PendingMessage.Key(State.OUTBOUND_PUBREL, 99),
				pubrel.getHeader(), pubrel.getPayload());
		assertThat(decoded.topic()).isNull();
		assertThat(this.mqtt5.encodeHeader(decoded)).isEqualTo(pubrel.getHeader());
	}

	@Test
	void aPacketUnderAKeyOfAnotherStateIsRefused() throws Exception {
		MqttPubRel pubrel = new MqttPubRel(new MqttPubRec((byte) 0, new byte[] { 0x00, 0x05 }));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.mqtt3.decode(PahoKey.parse("s-5"), pubrel.getHeader(), new byte[0]))
			.withMessageContaining("type 6 under key s-5");
	}

	@Test
	void keysNameStatesAndPacketIds() {
		assertThat(PahoKey.parse("s-17")).isEqualTo(new PendingMessage.Key(State.OUTBOUND_PUBLISH, 17));
		assertThat(PahoKey.parse("sc-17")).isEqualTo(new PendingMessage.Key(State.OUTBOUND_PUBREL, 17));
		assertThat(PahoKey.parse("r-1")).isEqualTo(new PendingMessage.Key(State.INBOUND_PUBLISH, 1));
		assertThat(PahoKey.parse("sb-65535")).isEqualTo(new PendingMessage.Key(State.OFFLINE_BUFFERED, 65_535));
		assertThat(PahoKey.of(PendingMessage.pubrel(3).key())).isEqualTo("sc-3");
		assertThatIllegalArgumentException().isThrownBy(() -> PahoKey.parse("x-1")).withMessageContaining("'x-1'");
		assertThatIllegalArgumentException().isThrownBy(() -> PahoKey.parse("s-abc")).withMessageContaining("'s-abc'");
		for (String notAKey : new String[] { "s-", "sx-1", "rc-1", "-1", "s1", "scb-1", "S-1", "" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> PahoKey.parse(notAKey))
				.withMessageContaining("'" + notAKey + "'");
		}
		for (State notPahos : new State[] { State.TRANSACTIONAL_OUTBOX, State.INBOUND_HANDLED,
				State.INBOUND_RELEASED }) {
			assertThatIllegalArgumentException().isThrownBy(() -> PahoKey.of(new PendingMessage.Key(notPahos, 1)))
				.withMessageContaining("A " + notPahos + " record is not Paho's");
		}
	}

	private static byte[] concat(byte[] header, byte[] payload) {
		byte[] all = java.util.Arrays.copyOf(header, header.length + payload.length);
		System.arraycopy(payload, 0, all, header.length, payload.length);
		return all;
	}

}
