package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mqtt.outbound.write-delay}: a QoS 1 message the broker acknowledges within the
 * delay is never written to the JPA store, and its send returns with the acknowledgement;
 * one the broker does not acknowledge is written once the delay passed, and its send
 * returns then, durable. A real HiveMQ, H2, the application configured by properties.
 */
@ExtendWith(HiveMqExtension.class)
class WriteDelayTests {

	private static final int MESSAGES = 20;

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aMessageAcknowledgedWithinTheDelayIsNeverWritten(String protocol) throws Exception {
		String clientId = "write-delay-acknowledged-" + protocol.charAt(0) + "-" + System.nanoTime();
		String topic = "write-delay/" + clientId;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.sources(CountingApplicationDataSource.class)
			.with("mqtt.client.protocol-version=" + protocol, "mqtt.outbound.default-topic=" + topic,
					"mqtt.outbound.write-delay=20s");
		CountingDataSource counting;
		try (ConfigurableApplicationContext context = app.start();
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			counting = CountingApplicationDataSource.of(context);
			// Each send returns once the broker acknowledged its message, far sooner than
			// the 20 seconds a write would wait for
			CompletableFuture.runAsync(() -> {
				for (int i = 1; i <= MESSAGES; i++) {
					send(context, "message " + i);
				}
			}).get(60, TimeUnit.SECONDS);
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(subscriber.received()).hasSize(MESSAGES));
		}
		// Nor written when the application stopped
		assertThat(counting.statements()).noneMatch(WriteDelayTests::writesAPendingMessage);
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aMessageNotAcknowledgedIsWrittenOnceTheDelayPassedAndItsSendReturnsThen(String protocol) throws Exception {
		String clientId = "write-delay-unacknowledged-" + protocol.charAt(0) + "-" + System.nanoTime();
		String topic = "write-delay/" + clientId;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.sources(CountingApplicationDataSource.class)
				.with("mqtt.client.protocol-version=" + protocol, "mqtt.outbound.default-topic=" + topic,
						"mqtt.outbound.write-delay=2s");
			try (ConfigurableApplicationContext context = app.start();
					Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
				CountingDataSource counting = CountingApplicationDataSource.of(context);
				proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBACK);
				long start = System.nanoTime();
				CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(context, "unacknowledged"));
				await().atMost(Duration.ofSeconds(20)).until(() -> proxy.heldPacketCount() == 1);
				// Held for the delay: not written, and the send waits
				assertThat(counting.statements()).noneMatch(WriteDelayTests::writesAPendingMessage);
				assertThat(sent).isNotDone();
				sent.get(30, TimeUnit.SECONDS);
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
				assertThat(counting.statements()).filteredOn(WriteDelayTests::writesAPendingMessage).hasSize(1);
				assertThat(context.getBean(SessionStore.class)
					.load(clientId)
					.map(MqttSession::pendingMessages)
					.orElseThrow()).extracting(PendingMessage::state)
					.containsExactly(PendingMessage.State.OUTBOUND_PUBLISH);
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(subscriber.received()).containsExactly("unacknowledged"));
				// The acknowledgement, late, removes it
				proxy.releaseHeldPackets();
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(context.getBean(SessionStore.class)
						.load(clientId)
						.map(MqttSession::pendingMessages)
						.orElseThrow()).isEmpty());
			}
		}
	}

	private static boolean writesAPendingMessage(String sql) {
		return (sql.startsWith("INSERT") || sql.startsWith("MERGE")) && sql.contains("PENDING_MESSAGE");
	}

	private static void send(ConfigurableApplicationContext context, String payload) {
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, 1).build());
	}

}
