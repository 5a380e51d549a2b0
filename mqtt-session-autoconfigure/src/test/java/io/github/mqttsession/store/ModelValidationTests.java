package io.github.mqttsession.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.github.mqttsession.store.PendingMessage.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The records refuse invalid values with a message that names the value and the rule. */
class ModelValidationTests {

	@ParameterizedTest
	@ValueSource(strings = { "", "sensor-1", "caf\u00e9", "\u20ac-\u4e2d", "\ud83d\ude00 smile", "lone \ud83d high",
			"lone \ude00 low", "end \ud83d", "\u07ff\u0800\uffff" })
	void utf8LengthIsTheLengthOfTheEncodedBytes(String value) {
		assertThat(MqttNames.utf8Length(value)).isEqualTo(value.getBytes(StandardCharsets.UTF_8).length);
	}

	@Test
	void clientIdMustNotBeBlankNorLongerThanMqttAllows() {
		assertThatIllegalArgumentException().isThrownBy(() -> MqttNames.requireValidClientId(null))
			.withMessage("Client id must not be blank, but was null");
		assertThatIllegalArgumentException().isThrownBy(() -> MqttNames.requireValidClientId("  "))
			.withMessage("Client id must not be blank, but was '  '");
		assertThatIllegalArgumentException().isThrownBy(() -> MqttNames.requireValidClientId("ü".repeat(32_768)))
			.withMessageContaining("65536 UTF-8 bytes long; at most 65535 bytes are allowed");
		assertThat(MqttNames.requireValidClientId("x".repeat(65_535))).hasSize(65_535);
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 3, 128 })
	void qosMustBeZeroOneOrTwo(int qos) {
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/b", qos))
			.withMessage("QoS " + qos + " is not valid; QoS must be 0, 1 or 2");
	}

	@ParameterizedTest
	@ValueSource(strings = { "#", "+", "a/#", "a/+/b", "+/+", "/", "a//b", "$SYS/#", "sport/tennis/+/#" })
	void validTopicFiltersAreAccepted(String filter) {
		assertThatNoException().isThrownBy(() -> new Subscription(filter, 1));
	}

	@Test
	void aSubscriptionIsNotConfiguredUnlessSaidSo() {
		assertThat(new Subscription("a/b", 1)).isEqualTo(new Subscription("a/b", 1, false));
		assertThat(new Subscription("a/b", 1, true).configured()).isTrue();
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/#/b", 1, true));
	}

	@Test
	void topicFiltersFollowTheMqttRules() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/#/b", 1))
			.withMessage(
					"Topic filter 'a/#/b' is not valid: '#' is allowed only as the whole last level, as in 'sensors/#'");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a#", 1))
			.withMessageContaining("'#' is allowed only as the whole last level");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/b+", 1))
			.withMessage(
					"Topic filter 'a/b+' is not valid: '+' is allowed only as a whole level, as in 'sensors/+/temperature'");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("", 1))
			.withMessage("Topic filter must not be empty, but was ''");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription(null, 1))
			.withMessage("Topic filter must not be empty, but was null");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/\u0000", 1))
			.withMessage("Topic filter 'a/\\u0000' must not contain the NUL character (U+0000), found at index 2");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("a/\uDC00/b", 1))
			.withMessageContaining("'a/\\uDC00/b' holds a lone UTF-16 surrogate U+DC00 at index 2")
			.withMessageContaining("well-formed UTF-8");
		assertThat(new Subscription("a/\uD83D\uDE00", 1).topicFilter()).isEqualTo("a/\uD83D\uDE00");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, 1, "a/\uD800", null, 1, false))
			.withMessageContaining("lone UTF-16 surrogate U+D800");
		assertThatIllegalArgumentException().isThrownBy(() -> new Subscription("x".repeat(65_536), 1))
			.withMessageContaining("65536 UTF-8 bytes long; at most 65535 bytes are allowed");
	}

	@Test
	void pendingMessageTopicsHaveNoWildcards() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.OUTBOUND_PUBLISH, 1, "a/+", new byte[0], 1, false))
			.withMessage("Topic name 'a/+' is not valid: a message's topic must not contain the wildcards '#' or '+'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.OFFLINE_BUFFERED, 1, "", new byte[0], 0, false))
			.withMessage("Topic name must not be empty, but was ''");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, -5, 65_536 })
	void pendingMessagePacketIdsAreOneTo65535(int packetId) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.OUTBOUND_PUBLISH, packetId, "a", new byte[0], 1, false))
			.withMessage("Packet id " + packetId + " of a OUTBOUND_PUBLISH message is not valid; it must be 1..65535");
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 65_536 })
	void sessionPacketIdsAreZeroTo65535(int packetId) {
		assertThatIllegalArgumentException().isThrownBy(() -> new MqttSession(List.of(), List.of(), packetId))
			.withMessage("Session packet id " + packetId + " is not valid; it must be 0..65535 (0: none used yet)");
	}

	@Test
	void releaseRecordsHaveNoTopicNorPayload() {
		assertThat(PendingMessage.pubrel(7).topic()).isNull();
		assertThat(PendingMessage.pubrel(7).payload()).isEmpty();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.OUTBOUND_PUBREL, 7, "a/b", new byte[0], 2, false))
			.withMessageContaining("An OUTBOUND_PUBREL record (packet id 7) has no topic");
	}

	@Test
	void onlyOfflineBufferedAndTransactionalOutboxMessagesMayHaveQosZero() {
		assertThatNoException().isThrownBy(() -> new PendingMessage(State.OFFLINE_BUFFERED, 1, "a", null, 0, false));
		assertThatNoException()
			.isThrownBy(() -> new PendingMessage(State.TRANSACTIONAL_OUTBOX, 1, "a", null, 0, false));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.OUTBOUND_PUBLISH, 1, "a", null, 0, false))
			.withMessageContaining("QoS 0 is not valid for a OUTBOUND_PUBLISH message");
		assertThatIllegalArgumentException().isThrownBy(() -> new PendingMessage(null, 1, "a", null, 1, false))
			.withMessageContaining(
					"valid states are [OUTBOUND_PUBLISH, OUTBOUND_PUBREL, INBOUND_PUBLISH, OFFLINE_BUFFERED,"
							+ " TRANSACTIONAL_OUTBOX, INBOUND_HANDLED, INBOUND_RELEASED]");
	}

	@Test
	void theMarkOfAHandledInboundMessageHasAnEmptyPayloadAndQos2() {
		assertThat(PendingMessage.handled(7, "a/b").key()).isEqualTo(new PendingMessage.Key(State.INBOUND_HANDLED, 7));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.INBOUND_HANDLED, 1, "a", new byte[] { 1 }, 2, false))
			.withMessageContaining("An INBOUND_HANDLED record (packet id 1) has an empty payload and QoS 2");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new PendingMessage(State.INBOUND_HANDLED, 1, "a", null, 1, false))
			.withMessageContaining("QoS 1");
	}

	@Test
	void aSessionHoldsEachFilterAndEachMessageKeyOnce() {
		assertThatIllegalArgumentException()
			.isThrownBy(
					() -> new MqttSession(List.of(new Subscription("a", 0), new Subscription("a", 1)), List.of(), 0))
			.withMessageContaining("Topic filter 'a' appears twice");
		PendingMessage message = new PendingMessage(State.INBOUND_PUBLISH, 3, "a", null, 2, false);
		assertThatIllegalArgumentException().isThrownBy(() -> new MqttSession(List.of(), List.of(message, message), 3))
			.withMessageContaining("Pending message INBOUND_PUBLISH #3 appears twice");
		assertThatNoException().isThrownBy(() -> new MqttSession(List.of(),
				List.of(new PendingMessage(State.OUTBOUND_PUBLISH, 3, "a", null, 2, false), PendingMessage.pubrel(3)),
				3));
	}

	@Test
	void recordsCopyArraysAndListsInAndOut() {
		byte[] payload = { 1, 2, 3 };
		byte[] properties = { 9 };
		PendingMessage message = new PendingMessage(State.OUTBOUND_PUBLISH, 1, "a", payload, 1, false, false,
				properties);
		payload[0] = 42;
		properties[0] = 42;
		message.payload()[1] = 42;
		assertThat(message.payload()).containsExactly(1, 2, 3);
		assertThat(message.properties()).containsExactly(9);
		List<PendingMessage> messages = new ArrayList<>(List.of(message));
		MqttSession session = new MqttSession(List.of(), messages, 1);
		messages.clear();
		assertThat(session.pendingMessages()).containsExactly(message);
		assertThat(message).isEqualTo(new PendingMessage(State.OUTBOUND_PUBLISH, 1, "a", new byte[] { 1, 2, 3 }, 1,
				false, false, new byte[] { 9 }));
	}

}
