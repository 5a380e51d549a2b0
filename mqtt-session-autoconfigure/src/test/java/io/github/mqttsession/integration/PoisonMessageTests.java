package io.github.mqttsession.integration;

import java.time.Duration;

import io.github.mqttsession.apps.channels.ChannelsApplication;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.StaticMessageHeaderAccessor;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;

import static io.github.mqttsession.integration.ChannelsApplicationProbe.awaitSubscribed;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.connectionEvents;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.errors;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.received;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.runner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A message the inbound flow fails on goes to the error channel once, as an error message
 * with the exception and the message, and the connection stays up for the messages after
 * it. With automatic acknowledgement it is then acknowledged; with manual acknowledgement
 * it is left to the application.
 */
@ExtendWith(HiveMqExtension.class)
@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "org.springframework.integration.handler.LoggingHandler",
		message = "Dispatcher failed to deliver Message",
		reason = "the default error channel logs the message the flow failed on, which is what these tests provoke")
class PoisonMessageTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void withAutomaticAcknowledgementItIsAcknowledgedAndTheNextMessageArrives(String version) throws Exception {
		String topic = "poison/auto/" + version;
		MqttApplicationRunner app = runner("poison-auto-" + version).with("mqtt.client.protocol-version=" + version,
				"mqtt.inbound.topics[0].filter=" + topic);
		// The acknowledgement of the last message leaves after it was handed over: the
		// client stops once it has gone, as it does at its default quiescent timeout
		try (ConfigurableApplicationContext context = app.start("mqtt.client.quiescent-timeout=5s")) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish(topic, ChannelsApplication.POISON);
			MqttSessionRestartTests.publish(topic, "wholesome");
			assertThat(received(context, 1)).containsExactly("wholesome");
			// The poison message came first, on the same thread, so its error is in
			// already
			assertThat(errors(context)).singleElement().satisfies(PoisonMessageTests::carriesThePoisonMessage);
			assertThat(connectionEvents(context)).singleElement().isInstanceOf(MqttSubscribedEvent.class);
		}
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish(topic, "after the restart");
			// The broker would deliver an unacknowledged message again, before a new one
			assertThat(received(context, 1)).containsExactly("after the restart");
			assertThat(errors(context)).isEmpty();
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void withManualAcknowledgementItStaysUnacknowledgedUntilTheApplicationAcknowledgesIt(String version)
			throws Exception {
		String topic = "poison/manual/" + version;
		MqttApplicationRunner app = runner("poison-manual-" + version).with("mqtt.client.protocol-version=" + version,
				"mqtt.inbound.topics[0].filter=" + topic, "mqtt.inbound.acknowledgement=manual");
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish(topic, ChannelsApplication.POISON);
			MqttSessionRestartTests.publish(topic, "wholesome");
			await().atMost(Duration.ofSeconds(20)).until(() -> !errors(context).isEmpty());
			assertThat(errors(context)).singleElement().satisfies(PoisonMessageTests::carriesThePoisonMessage);
			// HiveMQ holds a client's next QoS 1 message back while one is
			// unacknowledged, so "wholesome" may not have come; the application stops
			// without acknowledging the poison message
		}
		try (ConfigurableApplicationContext context = app.start()) {
			await().atMost(Duration.ofSeconds(20)).until(() -> !errors(context).isEmpty());
			ErrorMessage again = errors(context).get(0);
			carriesThePoisonMessage(again);
			StaticMessageHeaderAccessor.getAcknowledgment(again.getOriginalMessage()).acknowledge();
			assertThat(received(context, 1)).containsExactly("wholesome");
			assertThat(errors(context)).hasSize(1);
			assertThat(connectionEvents(context)).singleElement().isInstanceOf(MqttSubscribedEvent.class);
		}
	}

	private static void carriesThePoisonMessage(ErrorMessage error) {
		assertThat(error.getOriginalMessage()).isNotNull();
		assertThat(ChannelsApplication.text(error.getOriginalMessage())).isEqualTo(ChannelsApplication.POISON);
		assertThat(error.getPayload()).isInstanceOf(MessagingException.class)
			.hasRootCauseInstanceOf(IllegalStateException.class)
			.hasRootCauseMessage("The consumer cannot handle this message");
		assertThat(ChannelsApplication.text(((MessagingException) error.getPayload()).getFailedMessage()))
			.isEqualTo(ChannelsApplication.POISON);
	}

}
