package io.github.mqttsession.integration;

import java.time.Duration;

import io.github.mqttsession.apps.channels.ChannelsApplication;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static io.github.mqttsession.integration.ChannelsApplicationProbe.awaitSubscribed;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.received;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.runner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whatever kind of channel the application brings, or the starter's direct channels, a
 * message published through the outbound channel comes back through the inbound one.
 */
@ExtendWith(HiveMqExtension.class)
class ChannelKindsTests {

	private static final String CHANNELS = "org.springframework.integration.channel.";

	@ParameterizedTest(name = "{0} {1} {2}")
	@CsvSource({ "none, mqttInboundChannel, mqttOutboundChannel, DirectChannel",
			"none, readings, commands, DirectChannel",
			"executor, mqttInboundChannel, mqttOutboundChannel, ExecutorChannel",
			"publish-subscribe, mqttInboundChannel, mqttOutboundChannel, PublishSubscribeChannel",
			"queue, mqttInboundChannel, mqttOutboundChannel, QueueChannel",
			"flux, mqttInboundChannel, mqttOutboundChannel, FluxMessageChannel" })
	void aMessageMakesTheRoundTripThroughTheApplicationsKindOfChannel(String kind, String inbound, String outbound,
			String channelClass) throws Exception {
		String topic = "round-trip/" + kind + "/" + inbound;
		MqttApplicationRunner app = runner("channels-" + kind + "-" + inbound).with("test.channel=" + kind,
				"mqtt.inbound.channel=" + inbound, "mqtt.outbound.channel=" + outbound,
				"mqtt.inbound.topics[0].filter=" + topic, "mqtt.outbound.default-topic=" + topic);
		try (ConfigurableApplicationContext context = app.start()) {
			assertThat(context.getBean(inbound).getClass().getName()).isEqualTo(CHANNELS + channelClass);
			assertThat(context.getBean(outbound).getClass().getName()).isEqualTo(CHANNELS + channelClass);
			awaitSubscribed(context);
			send(context.getBean(outbound, MessageChannel.class), "there and back");
			assertThat(received(context, 1)).containsExactly("there and back");
		}
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "autowired", "constructor" })
	void aHandlerSubscribedBeforeTheLifecycleStartsReceives(String consumer) throws Exception {
		String topic = "early/" + consumer;
		MqttApplicationRunner app = runner("channels-early-" + consumer).with("test.consumer=" + consumer,
				"mqtt.inbound.topics[0].filter=" + topic, "mqtt.outbound.default-topic=" + topic);
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			send(context.getBean("mqttOutboundChannel", MessageChannel.class), "early bird");
			assertThat(received(context, 1)).containsExactly("early bird");
		}
	}

	@Test
	void aSendToAnOutboundQueueChannelReturnsBeforeTheMessageIsStoredOrPublished() throws Exception {
		String topic = "queued/outbound";
		String clientId = "channels-queued-outbound";
		try (Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = runner(clientId).with("test.channel=queue", "test.poll-gate=closed",
					"mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				QueueChannel outbound = context.getBean("mqttOutboundChannel", QueueChannel.class);
				send(outbound, "queued");
				// The send returned; the message waits in memory only, where a crash
				// would lose it
				assertThat(outbound.getQueueSize()).isOne();
				assertThat(OfflinePublishingTests.pending(context, clientId)).isEmpty();
				context.getBean(ChannelsApplication.PollGate.class).open();
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("queued"));
			}
		}
	}

	@Test
	void aMessageHandedToAnInboundQueueChannelIsAcknowledgedBeforeTheFlowHandledIt() throws Exception {
		String topic = "queued/inbound";
		MqttApplicationRunner app = runner("channels-queued-inbound").with("test.channel=queue",
				"mqtt.inbound.topics[0].filter=" + topic);
		// The acknowledgement leaves after the message was queued: the client stops once
		// it has gone, as it does at its default quiescent timeout
		try (ConfigurableApplicationContext context = app.start("test.poll-gate=closed",
				"mqtt.client.quiescent-timeout=5s")) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish(topic, "handed over");
			QueueChannel inbound = context.getBean("mqttInboundChannel", QueueChannel.class);
			await().atMost(Duration.ofSeconds(20)).until(() -> inbound.getQueueSize() == 1);
			// The application stops before its flow took the message from the queue, as
			// in a crash
		}
		try (ConfigurableApplicationContext context = app.start("test.poll-gate=open")) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish(topic, "after the restart");
			// The broker would deliver an unacknowledged message again before a new one
			assertThat(received(context, 1)).containsExactly("after the restart");
		}
	}

	static void send(MessageChannel channel, String payload) {
		channel.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, 1).build());
	}

}
