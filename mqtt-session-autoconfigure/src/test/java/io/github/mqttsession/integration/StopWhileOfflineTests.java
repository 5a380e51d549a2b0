package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application whose broker is unreachable stops at once, at the default quiescent and
 * disconnect timeouts, and what it published meanwhile is delivered after the next start.
 */
@ExtendWith(HiveMqExtension.class)
class StopWhileOfflineTests {

	/**
	 * Well below the 30 s quiescent timeout a stop used to wait out; a bound on
	 * behaviour, not a speed target.
	 */
	private static final Duration PROMPT_STOP = Duration.ofSeconds(15);

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void anApplicationThatLostItsBrokerStopsPromptlyAndDeliversAfterARestart(String version) throws Exception {
		String topic = "stop-offline/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = runner(proxy, "stop-offline-" + version, version, topic);
			ConfigurableApplicationContext context = app.start();
			try {
				OfflinePublishingTests.send(context, "online");
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("online"));
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				publishOffline(context);
			}
			finally {
				assertThat(timeToClose(context)).isLessThan(PROMPT_STOP);
			}
			assertDeliveredAfterRestart(app, proxy, subscriber);
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void anApplicationThatNeverReachedItsBrokerStopsPromptlyAndDeliversAfterARestart(String version) throws Exception {
		String topic = "stop-never-connected/" + version;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			proxy.cut();
			MqttApplicationRunner app = runner(proxy, "stop-never-connected-" + version, version, topic);
			ConfigurableApplicationContext context = app.start();
			try {
				publishOffline(context);
			}
			finally {
				assertThat(timeToClose(context)).isLessThan(PROMPT_STOP);
			}
			assertDeliveredAfterRestart(app, proxy, subscriber);
		}
	}

	private static MqttApplicationRunner runner(TcpProxy proxy, String clientId, String version, String topic) {
		// The defaults a user gets, which the runner otherwise shortens so that other
		// tests stop quickly
		return new MqttApplicationRunner(proxy.url(), clientId).with("mqtt.client.protocol-version=" + version,
				"mqtt.outbound.default-topic=" + topic, "mqtt.client.quiescent-timeout=30s",
				"mqtt.client.disconnect-timeout=5s", "spring.lifecycle.timeout-per-shutdown-phase=30s");
	}

	private static void publishOffline(ConfigurableApplicationContext context) {
		IntStream.rangeClosed(1, 5).forEach((i) -> OfflinePublishingTests.send(context, "offline " + i));
	}

	private static Duration timeToClose(ConfigurableApplicationContext context) {
		long started = System.nanoTime();
		context.close();
		return Duration.ofNanos(System.nanoTime() - started);
	}

	private static void assertDeliveredAfterRestart(MqttApplicationRunner app, TcpProxy proxy, Subscriber subscriber) {
		// This stop, while connected, is no longer what the test is about: it need not
		// wait for what is in flight
		try (ConfigurableApplicationContext context = app.start("mqtt.client.quiescent-timeout=0s")) {
			proxy.resume();
			List<String> expected = IntStream.rangeClosed(1, 5).mapToObj((i) -> "offline " + i).toList();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(subscriber.received()).containsAll(expected));
		}
	}

}
