package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.event.MqttMessageSentEvent;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;

/** A durable session across application restarts, against a real broker. */
@ExtendWith(HiveMqExtension.class)
class MqttSessionRestartTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void configuredAndRuntimeSubscriptionsComeBackAndMessagesSentWhileDownArrive(String version) throws Exception {
		String clientId = "restart-" + version;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId).with(
				"mqtt.client.protocol-version=" + version, "mqtt.inbound.topics[0].filter=sensors/#",
				"mqtt.inbound.topics[0].qos=1");
		try (ConfigurableApplicationContext context = app.start()) {
			MqttApplicationRunner.awaitSubscribed(context);
			context.getBean(MqttSubscriptions.class).subscribe("alarms/+", 2);
			assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("sensors/#",
					"alarms/+");
			// Both subscriptions are in place at the broker, not only in the adapter,
			// before the application stops
			List<String> probes = publishFromAnotherClient("sensors/probe", "alarms/probe");
			assertThat(receive(context, probes.size())).containsExactlyInAnyOrderElementsOf(probes);
		}
		List<String> sent = publishFromAnotherClient("sensors/kitchen", "alarms/fire", "sensors/hall");
		// The broker delivers what it held the moment the client connects; the delay
		// makes sure that is before the inbound adapter has registered
		try (ConfigurableApplicationContext context = app.start("test.delay-before-adapters=1500ms")) {
			assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactlyInAnyOrder("sensors/#",
					"alarms/+");
			assertThat(context.getBean(SessionStore.class).load(clientId).orElseThrow().subscriptions())
				.contains(new Subscription("sensors/#", 1, true), new Subscription("alarms/+", 2));
			assertThat(receive(context, sent.size())).containsExactlyInAnyOrderElementsOf(sent);
		}
	}

	@Test
	void aTopicNoLongerConfiguredIsUnsubscribedAndRuntimeOnesStay() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "reconfigured-v3");
		try (ConfigurableApplicationContext context = app.start("mqtt.inbound.topics[0].filter=old/#",
				"mqtt.inbound.topics[1].filter=kept/#")) {
			context.getBean(MqttSubscriptions.class).subscribe("runtime/#", 1);
		}
		try (ConfigurableApplicationContext context = app.start("mqtt.inbound.topics[0].filter=kept/#")) {
			assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("kept/#", "runtime/#");
			assertThat(context.getBean(SessionStore.class).load("reconfigured-v3").orElseThrow().subscriptions())
				.extracting(Subscription::topicFilter)
				.containsExactlyInAnyOrder("kept/#", "runtime/#");
			publish("old/x", "must not arrive");
			publish("runtime/x", "arrives");
			assertThat(receive(context, 1)).containsExactly("runtime/x=arrives");
			assertThat(context.getBean("received", BlockingQueue.class).poll(500, TimeUnit.MILLISECONDS)).isNull();
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	@SuppressWarnings("unchecked")
	void packetIdsCarryOnAfterARestart(String version) throws Exception {
		String clientId = "packet-ids-" + version;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=ids/" + version);
		try (ConfigurableApplicationContext context = app.start()) {
			for (int i = 0; i < 3; i++) {
				OfflinePublishingTests.send(context, "before restart");
			}
			BlockingQueue<MqttMessageSentEvent> sent = context.getBean("sentEvents", BlockingQueue.class);
			assertThat(List.of(sent.take().getMessageId(), sent.take().getMessageId(), sent.take().getMessageId()))
				.containsExactly(1, 2, 3);
		}
		try (ConfigurableApplicationContext context = app.start()) {
			assertThat(context.getBean(SessionStore.class).load(clientId).orElseThrow().packetId()).isEqualTo(3);
			OfflinePublishingTests.send(context, "after restart");
			BlockingQueue<MqttMessageSentEvent> sent = context.getBean("sentEvents", BlockingQueue.class);
			assertThat(sent.poll(10, TimeUnit.SECONDS).getMessageId()).isEqualTo(4);
		}
	}

	static List<String> publishFromAnotherClient(String... topics) throws Exception {
		List<String> sent = new ArrayList<>();
		for (String topic : topics) {
			publish(topic, "payload of " + topic);
			sent.add(topic + "=payload of " + topic);
		}
		return sent;
	}

	static void publish(String topic, String payload) throws Exception {
		try (MqttClient publisher = new MqttClient(HiveMqExtension.url(), "publisher-" + System.nanoTime(),
				new MemoryPersistence())) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setConnectionTimeout(5);
			publisher.connect(options);
			publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
			publisher.disconnect();
		}
	}

	@SuppressWarnings("unchecked")
	static List<String> receive(ConfigurableApplicationContext context, int count) throws InterruptedException {
		BlockingQueue<Message<?>> received = context.getBean("received", BlockingQueue.class);
		List<String> messages = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (messages.size() < count && System.nanoTime() < deadline) {
			Message<?> message = received.poll(100, TimeUnit.MILLISECONDS);
			if (message != null) {
				Object payload = message.getPayload();
				String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
						: payload.toString();
				messages.add(message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC) + "=" + text);
			}
		}
		return messages;
	}

}
