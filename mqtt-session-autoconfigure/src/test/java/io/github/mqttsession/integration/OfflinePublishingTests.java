package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandlingException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Publishing while the broker is unreachable, across a restart, and the cap on pending
 * messages.
 */
@ExtendWith(HiveMqExtension.class)
class OfflinePublishingTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void messagesPublishedWhileTheBrokerIsUnreachableAreDeliveredAfterARestart(String version) throws Exception {
		String topic = "offline/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "offline-" + version)
				.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				send(context, "online");
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("online"));
				cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 20).forEach((i) -> send(context, "offline " + i));
				assertThat(pending(context, "offline-" + version)).hasSize(20)
					.allMatch((message) -> message.topic().equals(topic));
			}
			try (ConfigurableApplicationContext context = app.start()) {
				assertThat(subscriber.received()).doesNotContain("offline 1");
				proxy.resume();
				List<String> expected = IntStream.rangeClosed(1, 20).mapToObj((i) -> "offline " + i).toList();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received()).containsAll(expected));
				await().atMost(Duration.ofSeconds(10)).until(() -> pending(context, "offline-" + version).isEmpty());
			}
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aClientManagerStoppedAndStartedWhileOfflineKeepsWhatItBufferedAndSendsIt(String version) throws Exception {
		String topic = "manager-restart/" + version;
		String clientId = "manager-restart-" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 3).forEach((i) -> send(context, "buffered " + i));
				// The new client opens the session before it is known to the sweep of the
				// offline buffer, which must not read the closed client's buffer then
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				manager.stop();
				manager.start();
				assertThat(pending(context, clientId)).hasSize(3);
				proxy.resume();
				List<String> expected = IntStream.rangeClosed(1, 3).mapToObj((i) -> "buffered " + i).toList();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received()).containsAll(expected));
				await().atMost(Duration.ofSeconds(10)).until(() -> pending(context, clientId).isEmpty());
			}
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void rejectRefusesAPublishBeyondTheCapAndStoresNothingOfIt(String version) throws Exception {
		String topic = "reject/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "reject-" + version).with(
					"mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic,
					"mqtt.session.max-pending-messages=5", "mqtt.session.overflow=reject");
			try (ConfigurableApplicationContext context = app.start()) {
				cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 5).forEach((i) -> send(context, "kept " + i));
				assertThatExceptionOfType(MessageHandlingException.class).isThrownBy(() -> send(context, "refused"))
					.withStackTraceContaining("mqtt.session.max-pending-messages (5)")
					.withStackTraceContaining("mqtt.session.overflow=reject");
				assertThat(pending(context, "reject-" + version)).extracting((message) -> new String(message.payload()))
					.containsExactly("kept 1", "kept 2", "kept 3", "kept 4", "kept 5");
			}
			try (ConfigurableApplicationContext context = app.start()) {
				proxy.resume();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received())
						.containsAll(IntStream.rangeClosed(1, 5).mapToObj((i) -> "kept " + i).toList()));
				assertThat(subscriber.received()).doesNotContain("refused");
			}
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void dropOldestDiscardsTheOldestUnsentMessages(String version) throws Exception {
		String topic = "drop/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "drop-" + version).with(
					"mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic,
					"mqtt.session.max-pending-messages=5", "mqtt.session.overflow=drop-oldest");
			try (ConfigurableApplicationContext context = app.start()) {
				cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 8).forEach((i) -> send(context, "message " + i));
				assertThat(pending(context, "drop-" + version)).extracting((message) -> new String(message.payload()))
					.containsExactly("message 4", "message 5", "message 6", "message 7", "message 8");
			}
			try (ConfigurableApplicationContext context = app.start()) {
				proxy.resume();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received())
						.containsAll(IntStream.rangeClosed(4, 8).mapToObj((i) -> "message " + i).toList()));
				assertThat(subscriber.received()).doesNotContain("message 1", "message 2", "message 3");
			}
		}
	}

	static void send(ConfigurableApplicationContext context, String payload) {
		send(context, payload, 1);
	}

	static void send(ConfigurableApplicationContext context, String payload, int qos) {
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, qos).build());
	}

	/**
	 * The first cause of a failure that is of a type.
	 * @throws AssertionError when there is none
	 */
	static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("No " + type.getSimpleName() + " in " + failure, failure);
	}

	static List<PendingMessage> pending(ConfigurableApplicationContext context, String clientId) {
		return context.getBean(SessionStore.class).load(clientId).map(MqttSession::pendingMessages).orElse(List.of());
	}

	static void cutAndAwaitDisconnect(TcpProxy proxy, ConfigurableApplicationContext context) {
		proxy.cut();
		ClientManager<?, ?> manager = context.getBean(ClientManager.class);
		await().atMost(Duration.ofSeconds(10)).until(() -> !manager.isConnected());
	}

}
