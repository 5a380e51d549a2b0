package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.MoquetteExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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
 * Sends in tight loops at the default in-flight window: a send waits for room instead of
 * failing, and fails only after {@code mqtt.outbound.send-timeout} when the broker stops
 * acknowledging, leaving nothing stored.
 */
@ExtendWith({ HiveMqExtension.class, MoquetteExtension.class, EmbeddedPostgresExtension.class })
class BackPressureTests {

	private static final int THREADS = 8;

	/**
	 * Two hundred times the default in-flight window of 10 across the threads: every
	 * thread waits for room again and again, while the in-process broker, which delivers
	 * about a thousand messages a second to the subscriber, keeps each case to seconds.
	 */
	private static final int PER_THREAD = 250;

	static Stream<Arguments> brokersVersionsStoresAndQos() {
		List<Arguments> arguments = new ArrayList<>();
		for (String version : List.of("3.1.1", "5")) {
			for (String store : List.of("memory", "postgresql")) {
				for (int qos : List.of(1, 2)) {
					arguments.add(Arguments.of("HiveMQ", version, store, qos));
				}
			}
		}
		arguments.add(Arguments.of("Moquette", "3.1.1", "memory", 1));
		arguments.add(Arguments.of("Moquette", "3.1.1", "postgresql", 2));
		return arguments.stream();
	}

	@ParameterizedTest(name = "{0}, MQTT {1}, {2} store, QoS {3}")
	@MethodSource("brokersVersionsStoresAndQos")
	void sendsInTightLoopsFromManyThreadsAllArriveExactlyOnce(String broker, String version, String store, int qos)
			throws Exception {
		String brokerUrl = broker.equals("HiveMQ") ? HiveMqExtension.url() : MoquetteExtension.url();
		String clientId = "loop-" + broker + "-" + version + "-" + store + "-" + qos;
		String topic = "loop/" + clientId;
		try (CountingSubscriber subscriber = broker.equals("HiveMQ") ? CountingSubscriber.mqtt5(brokerUrl, topic, qos)
				: CountingSubscriber.mqtt311(brokerUrl, topic, qos)) {
			MqttApplicationRunner app = new MqttApplicationRunner(brokerUrl, clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic);
			if (store.equals("memory")) {
				app.with("mqtt.session.store=memory");
			}
			else {
				app.with("spring.datasource.url=" + EmbeddedPostgresExtension.jdbcUrl(),
						"spring.datasource.username=postgres", "spring.datasource.password=postgres",
						"mqtt.session.store=jpa");
			}
			try (ConfigurableApplicationContext context = app.start()) {
				MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
				Queue<Throwable> failures = sendFromEachThread(PER_THREAD, (thread, i) -> channel
					.send(MessageBuilder.withPayload(thread + "-" + i).setHeader(MqttHeaders.QOS, qos).build()));
				assertThat(failures).isEmpty();
				await().atMost(Duration.ofMinutes(2))
					.untilAsserted(() -> assertThat(subscriber.distinct()).isEqualTo(THREADS * PER_THREAD));
				assertThat(subscriber.duplicates()).isEmpty();
				assertThat(subscriber.outOfOrder()).as("messages that arrived after a later one of the same thread")
					.isZero();
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(OfflinePublishingTests.pending(context, clientId)).isEmpty());
			}
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void publishesThroughTheClientManagerWaitForTheWindowToo(String version) throws Exception {
		String clientId = "bare-" + version;
		String topic = "bare/" + version;
		int perThread = 300;
		try (CountingSubscriber subscriber = CountingSubscriber.mqtt5(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.session.store=memory");
			try (ConfigurableApplicationContext context = app.start()) {
				SessionClientManager manager = context.getBean(SessionClientManager.class);
				ClientManager<?, ?> clientManager = (ClientManager<?, ?>) manager;
				Queue<Throwable> failures = sendFromEachThread(perThread,
						(thread, i) -> manager.publishDurably(() -> publish(clientManager.getClient(), topic,
								(thread + "-" + i).getBytes(StandardCharsets.UTF_8))));
				assertThat(failures).isEmpty();
				await().atMost(Duration.ofMinutes(1))
					.untilAsserted(() -> assertThat(subscriber.distinct()).isEqualTo(THREADS * perThread));
				assertThat(subscriber.duplicates()).isEmpty();
				assertThat(subscriber.outOfOrder()).isZero();
			}
		}
	}

	/**
	 * Sends from {@link #THREADS} threads at once, each its own numbered messages in a
	 * tight loop.
	 * @return what the sends threw
	 */
	private static Queue<Throwable> sendFromEachThread(int perThread, Send send) throws Exception {
		Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
		ExecutorService senders = Executors.newFixedThreadPool(THREADS);
		try {
			List<Future<?>> loops = new ArrayList<>();
			IntStream.range(0, THREADS).forEach((thread) -> loops.add(senders.submit(() -> {
				for (int i = 0; i < perThread; i++) {
					try {
						send.send(thread, i);
					}
					catch (Exception ex) {
						failures.add(ex);
					}
				}
			})));
			for (Future<?> loop : loops) {
				loop.get(5, TimeUnit.MINUTES);
			}
		}
		finally {
			senders.shutdownNow();
		}
		return failures;
	}

	/** The send of one numbered message from one thread. */
	@FunctionalInterface
	private interface Send {

		void send(int thread, int sequence) throws Exception;

	}

	private static Object publish(Object client, String topic, byte[] payload) throws Exception {
		if (client instanceof org.eclipse.paho.client.mqttv3.IMqttAsyncClient v3) {
			return v3.publish(topic, payload, 1, false);
		}
		return ((org.eclipse.paho.mqttv5.client.IMqttAsyncClient) client).publish(topic, payload, 1, false);
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aSendFailsAfterTheSendTimeoutWhileTheBrokerAcknowledgesNothingAndLeavesNothingStored(String version)
			throws Exception {
		String clientId = "unacknowledged-" + version;
		String topic = "unacknowledged/" + version;
		int window = 10;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				CountingSubscriber subscriber = CountingSubscriber.mqtt5(HiveMqExtension.url(), topic, 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId).with(
					"mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic,
					"mqtt.outbound.send-timeout=2s");
			try (ConfigurableApplicationContext context = app.start()) {
				proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBACK);
				IntStream.rangeClosed(1, window).forEach((i) -> OfflinePublishingTests.send(context, "held " + i));
				String origin = version.equals("5") ? "the Receive Maximum the broker sent"
						: "mqtt.client.max-inflight";
				assertThatExceptionOfType(MessageHandlingException.class)
					.isThrownBy(() -> OfflinePublishingTests.send(context, "late"))
					.withStackTraceContaining("in-flight window of " + window + " messages (" + origin + ")")
					.withStackTraceContaining("could not publish within 2")
					.withStackTraceContaining("mqtt.outbound.send-timeout (now PT2S)");
				assertThat(OfflinePublishingTests.pending(context, clientId))
					.extracting((message) -> new String(message.payload()))
					.hasSize(window)
					.doesNotContain("late");
				assertThat(OfflinePublishingTests.pending(context, clientId)).extracting(PendingMessage::state)
					.containsOnly(PendingMessage.State.OUTBOUND_PUBLISH);
			}
			proxy.discardHeldPackets();
			try (ConfigurableApplicationContext context = app.start()) {
				await().atMost(Duration.ofSeconds(30)).until(() -> subscriber.distinct() == window);
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
				assertThat(subscriber.received("late")).isFalse();
			}
		}
	}

}
