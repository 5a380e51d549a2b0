package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.MoquetteExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable session against a second broker, Moquette (MQTT 3.1.1 only), so that
 * nothing passes only because of how HiveMQ behaves.
 */
@ExtendWith(MoquetteExtension.class)
class MoquetteSmokeTests {

	@Test
	void configuredAndRuntimeSubscriptionsComeBackAndMessagesSentWhileDownArrive() throws Exception {
		String clientId = "moquette-restart";
		MqttApplicationRunner app = new MqttApplicationRunner(MoquetteExtension.url(), clientId)
			.with("mqtt.inbound.topics[0].filter=sensors/#", "mqtt.inbound.topics[0].qos=1");
		try (ConfigurableApplicationContext context = app.start()) {
			MqttApplicationRunner.awaitSubscribed(context);
			context.getBean(MqttSubscriptions.class).subscribe("alarms/+", 1);
			assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("sensors/#",
					"alarms/+");
			// Both subscriptions are in place at the broker, not only in the adapter,
			// before the application stops
			List<String> probes = publish("sensors/probe", "alarms/probe");
			assertThat(MqttSessionRestartTests.receive(context, probes.size()))
				.containsExactlyInAnyOrderElementsOf(probes);
		}
		List<String> sent = publish("sensors/kitchen", "alarms/fire", "sensors/hall");
		// The broker delivers what it held the moment the client connects; the delay
		// makes sure that is before the inbound adapter has registered
		try (ConfigurableApplicationContext context = app.start("test.delay-before-adapters=1500ms")) {
			assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactlyInAnyOrder("sensors/#",
					"alarms/+");
			assertThat(context.getBean(SessionStore.class).load(clientId).orElseThrow().subscriptions())
				.contains(new Subscription("sensors/#", 1, true), new Subscription("alarms/+", 1));
			assertThat(MqttSessionRestartTests.receive(context, sent.size())).containsExactlyInAnyOrderElementsOf(sent);
		}
	}

	@Test
	void whatTheApplicationPublishesWithQos1ArrivesAndLeavesNothingPending() throws Exception {
		String clientId = "moquette-outbound";
		String topic = "moquette/outbound";
		try (Subscriber subscriber = new Subscriber(MoquetteExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(MoquetteExtension.url(), clientId)
				.with("mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				List<String> payloads = IntStream.rangeClosed(1, 10).mapToObj((i) -> "reading " + i).toList();
				payloads.forEach((payload) -> OfflinePublishingTests.send(context, payload));
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(subscriber.received()).containsAll(payloads));
				// Each PUBACK removes its message from the stored session
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
			}
		}
	}

	/**
	 * Publishes with QoS 1 from a plain client, one message per topic, and returns them
	 * as topic=payload.
	 */
	private static List<String> publish(String... topics) throws Exception {
		try (MqttClient publisher = new MqttClient(MoquetteExtension.url(), "publisher-" + System.nanoTime(),
				new MemoryPersistence())) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setConnectionTimeout(5);
			publisher.connect(options);
			for (String topic : topics) {
				publisher.publish(topic, ("payload of " + topic).getBytes(StandardCharsets.UTF_8), 1, false);
			}
			publisher.disconnect();
		}
		return List.of(topics).stream().map((topic) -> topic + "=payload of " + topic).toList();
	}

}
