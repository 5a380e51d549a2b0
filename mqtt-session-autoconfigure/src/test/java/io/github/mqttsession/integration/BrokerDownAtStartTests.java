package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application started while its broker is unreachable: every send returns, the
 * messages wait in the session, and they are delivered once the broker can be reached, by
 * the same run or by the next.
 */
@ExtendWith(HiveMqExtension.class)
class BrokerDownAtStartTests {

	private static final int MESSAGES = 20;

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void messagesSentBeforeTheFirstConnectAreDeliveredOnceTheBrokerIsReachable(String version) throws Exception {
		String clientId = "down-at-start-" + version;
		String topic = "down-at-start/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			proxy.cut();
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				sendAll(context, clientId);
				proxy.resume();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received()).containsAll(payloads()));
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
				// Nothing is left in Paho's offline buffer for a later send to queue
				// behind
				OfflinePublishingTests.send(context, "after the first connect");
				await().atMost(Duration.ofSeconds(10))
					.until(() -> subscriber.received().contains("after the first connect"));
			}
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void messagesSentBeforeTheFirstConnectAreDeliveredByTheNextRun(String version) throws Exception {
		String clientId = "down-at-start-restart-" + version;
		String topic = "down-at-start-restart/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			proxy.cut();
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic);
			try (ConfigurableApplicationContext context = app.start()) {
				sendAll(context, clientId);
			}
			proxy.resume();
			try (ConfigurableApplicationContext context = app.start()) {
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received()).containsAll(payloads()));
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
			}
		}
	}

	/**
	 * Sends every message while the client has never been connected; each send returns,
	 * and the session holds each message as buffered offline.
	 */
	private static void sendAll(ConfigurableApplicationContext context, String clientId) {
		payloads().forEach((payload) -> OfflinePublishingTests.send(context, payload));
		assertThat(OfflinePublishingTests.pending(context, clientId)).hasSize(MESSAGES)
			.allMatch((message) -> message.state() == PendingMessage.State.OFFLINE_BUFFERED);
	}

	private static List<String> payloads() {
		return IntStream.rangeClosed(1, MESSAGES).mapToObj((i) -> "before the first connect " + i).toList();
	}

}
