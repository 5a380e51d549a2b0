package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.github.mqttsession.metrics.MqttSessionMetrics;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages published while the broker is unreachable expire: on MQTT 3.1.1 by
 * {@code offline-message-ttl}, on MQTT 5 by their message expiry interval (a header, or
 * {@code message-expiry-interval} for messages without one) or else the TTL. An expired
 * message is never delivered, whether it expired across a restart or while the
 * application kept running, and it is counted.
 */
@ExtendWith({ HiveMqExtension.class, OutputCaptureExtension.class })
class OfflineMessageExpiryTests {

	/** How the message meant to expire gets its lifetime on MQTT 5. */
	private static final String HEADER = "header";

	private static final String DEFAULT_INTERVAL = "default-interval";

	private static final String TTL = "ttl";

	@Test
	void onMqtt311AMessageOlderThanTheTtlAtARestartIsNeverDeliveredAndOneWithoutTtlIs() throws Exception {
		String clientId = "expiry-restart-3";
		String topic = "expiry/restart/3";
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=3.1.1", "mqtt.outbound.default-topic=" + topic);
			Instant expiresAt;
			try (ConfigurableApplicationContext context = app.start("mqtt.outbound.offline-message-ttl=3s")) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				send(context, "expires", null);
				expiresAt = storedExpiry(context, clientId);
			}
			proxy.resume();
			awaitPast(expiresAt);
			try (ConfigurableApplicationContext context = app.start()) {
				// Dropped when the session was loaded, before the client connected.
				assertThat(expired(context, clientId)).isEqualTo(1);
				assertThat(OfflinePublishingTests.pending(context, clientId)).isEmpty();
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				send(context, "kept", null);
			}
			try (ConfigurableApplicationContext context = app.start()) {
				proxy.resume();
				await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.received().contains("kept"));
				assertThat(subscriber.received()).doesNotContain("expires");
				assertThat(expired(context, clientId)).isZero();
			}
		}
	}

	@Test
	void onMqtt311AMessageThatExpiresWhileTheBrokerIsAwayIsNotSentWhenItReturns(CapturedOutput output)
			throws Exception {
		String clientId = "expiry-running-3";
		String topic = "expiry/running/3";
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId).with(
					"mqtt.client.protocol-version=3.1.1", "mqtt.outbound.default-topic=" + topic,
					"mqtt.outbound.offline-message-ttl=6s");
			try (ConfigurableApplicationContext context = app.start()) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				send(context, "expires", null);
				awaitPast(storedExpiry(context, clientId));
				send(context, "kept", null);
				proxy.resume();
				await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.received().contains("kept"));
				assertThat(subscriber.received()).doesNotContain("expires");
				assertThat(expired(context, clientId)).isEqualTo(1);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
				assertThat(output)
					.contains("Client '" + clientId + "' dropped the message published while the broker"
							+ " was unreachable, packet id ")
					.contains(" to '" + topic + "', unsent: it waited ")
					.contains("mqtt.outbound.offline-message-ttl (6.0 s)");
			}
		}
	}

	@ParameterizedTest(name = "expiry by {0}")
	@ValueSource(strings = { HEADER, DEFAULT_INTERVAL, TTL })
	void onMqtt5AMessageExpiredAtARestartIsNeverDeliveredAndAnotherGoesWithWhatRemainsOfItsInterval(String by)
			throws Exception {
		String clientId = "expiry-restart-5-" + by;
		String topic = "expiry/restart/5/" + by;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Mqttv5Subscriber subscriber = new Mqttv5Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=5", "mqtt.outbound.default-topic=" + topic);
			Instant expiresAt;
			try (ConfigurableApplicationContext context = app.start(lifetimeProperty(by, 3))) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				send(context, "expires", HEADER.equals(by) ? 3L : null);
				send(context, "kept", 3600L);
				expiresAt = storedExpiry(context, clientId);
			}
			proxy.resume();
			awaitPast(expiresAt);
			try (ConfigurableApplicationContext context = app.start()) {
				await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.received().containsKey("kept"));
				assertThat(subscriber.received()).doesNotContainKey("expires");
				assertThat(subscriber.received().get("kept")).isBetween(3000L, 3600L - 3);
				assertThat(expired(context, clientId)).isEqualTo(1);
			}
		}
	}

	@ParameterizedTest(name = "expiry by {0}")
	@ValueSource(strings = { HEADER, DEFAULT_INTERVAL, TTL })
	void onMqtt5AMessageThatExpiresWhileTheBrokerIsAwayIsNotSentAndAnotherGoesWithWhatRemains(String by)
			throws Exception {
		String clientId = "expiry-running-5-" + by;
		String topic = "expiry/running/5/" + by;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Mqttv5Subscriber subscriber = new Mqttv5Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId).with(
					"mqtt.client.protocol-version=5", "mqtt.outbound.default-topic=" + topic, lifetimeProperty(by, 1));
			try (ConfigurableApplicationContext context = app.start()) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				send(context, "expires", HEADER.equals(by) ? 1L : null);
				send(context, "kept", 3600L);
				Instant sentAt = Instant.now();
				awaitPast(storedExpiry(context, clientId).plusSeconds(1));
				proxy.resume();
				await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.received().containsKey("kept"));
				long waited = Duration.between(sentAt, Instant.now()).toSeconds();
				assertThat(subscriber.received()).doesNotContainKey("expires");
				assertThat(subscriber.received().get("kept")).isBetween(3600L - waited - 2, 3600L - 2);
				assertThat(expired(context, clientId)).isEqualTo(1);
			}
		}
	}

	/** What gives the message meant to expire its lifetime, besides a header. */
	private static String lifetimeProperty(String by, int seconds) {
		return switch (by) {
			case DEFAULT_INTERVAL -> "mqtt.outbound.message-expiry-interval=" + seconds + "s";
			case TTL -> "mqtt.outbound.offline-message-ttl=" + seconds + "s";
			default -> "mqtt.outbound.enabled=true";
		};
	}

	private static void send(ConfigurableApplicationContext context, String payload, Long expiryInterval) {
		MessageBuilder<String> message = MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, 1);
		if (expiryInterval != null) {
			message.setHeader(MqttHeaders.MESSAGE_EXPIRY_INTERVAL, expiryInterval);
		}
		context.getBean("mqttOutboundChannel", MessageChannel.class).send(message.build());
	}

	/** When the first stored message expires, as stored. */
	private static Instant storedExpiry(ConfigurableApplicationContext context, String clientId) {
		List<PendingMessage> pending = OfflinePublishingTests.pending(context, clientId);
		assertThat(pending).isNotEmpty();
		assertThat(pending.get(0).state()).isEqualTo(PendingMessage.State.OFFLINE_BUFFERED);
		assertThat(pending.get(0).expiresAt()).as("expiry of %s", pending.get(0)).isNotNull();
		return pending.get(0).expiresAt();
	}

	private static void awaitPast(Instant instant) {
		await().atMost(Duration.ofSeconds(20)).until(() -> Instant.now().isAfter(instant));
	}

	private static double expired(ConfigurableApplicationContext context, String clientId) {
		Counter counter = context.getBean(MeterRegistry.class)
			.find(MqttSessionMetrics.EXPIRED)
			.tag("client.id", clientId)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

}
