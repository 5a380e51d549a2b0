package io.github.mqttsession.integration.crash;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.github.mqttsession.integration.crash.app.CrashPublisherApplication;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static io.github.mqttsession.integration.crash.CrashTests.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A race that {@link CrashTests} can only meet now and then, made deterministic: the
 * connection drops while Paho is sending a message it had buffered offline, after the
 * session stored the message for sending. Paho undoes that send, forgets the message's
 * packet id and later sends the message under a new one. Guards against the message's
 * offline-buffer entry under the old packet id staying in the session, where the next
 * client on that session would publish it once more: a QoS 2 duplicate.
 */
@ExtendWith(HiveMqExtension.class)
class BufferedMessageCutWhileSendingTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Test
	@ExpectedLog(level = ExpectedLog.Level.ERROR,
			logger = "org.eclipse.paho.client.mqttv3.internal.DisconnectedMessageBuffer",
			message = "Error occurred attempting to publish buffered message due to disconnect",
			reason = "the test cuts the connection while Paho sends its offline buffer")
	void aBufferedMessageWhoseSendingWasCutIsDeliveredOnceAndLeavesNothingInTheSession() throws Exception {
		String clientId = "cut-buffered-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, 2)) {
			List<String> properties = CrashTests.properties(proxy.url(), clientId, topic, 2, CrashTests.Store.H2_FILE);
			CutOnBufferedSend cutOnBufferedSend = new CutOnBufferedSend(proxy);
			List<PendingMessage> pendingAfterDelivery;
			try (ConfigurableApplicationContext context = start(properties, cutOnBufferedSend)) {
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				await().atMost(TIMEOUT).until(manager::isConnected);
				proxy.cut();
				await().atMost(TIMEOUT).until(() -> !manager.isConnected());
				List.of("1", "2", "3").forEach((payload) -> send(context, topic, payload));
				cutOnBufferedSend.arm((IMqttAsyncClient) manager.getClient());
				proxy.resume();
				// The first buffered message is being sent when the connection drops
				// again
				eventually(TIMEOUT, cutOnBufferedSend::sendUndone);
				assertThat(cutOnBufferedSend.sendUndone()).as("Paho undid the send of the buffered message").isTrue();
				proxy.resume();
				eventually(TIMEOUT, () -> subscriber.receivedNumbers().containsAll(List.of(1, 2, 3)));
				assertThat(subscriber.receivedNumbers()).containsExactly(1, 2, 3);
				// Every message was delivered and completed, so nothing should be left
				// pending
				eventually(Duration.ofSeconds(5), () -> pending(context, clientId).isEmpty());
				pendingAfterDelivery = pending(context, clientId);
			}
			// The next client on the session: a restart, clean or not
			try (ConfigurableApplicationContext context = start(properties, new CutOnBufferedSend(proxy))) {
				send(context, topic, CrashingPublisher.END);
				eventually(TIMEOUT, () -> subscriber.hasReceived(CrashingPublisher.END));
				assertThat(subscriber.hasReceived(CrashingPublisher.END)).isTrue();
			}
			// Paho's undo must not leave the buffered entry under the old packet id in
			// the session: the restarted client would publish that message a second time,
			// with QoS 2
			assertThat(subscriber.duplicates())
				.as(() -> "messages received more than once; the interrupted one was buffered under packet id "
						+ cutOnBufferedSend.cutPacketId() + "; deliveries of 1: " + subscriber.deliveriesOf("1")
						+ "; left pending after every message was delivered: " + describe(pendingAfterDelivery))
				.isEmpty();
			assertThat(pendingAfterDelivery).as("pending messages left in the session after all were delivered")
				.isEmpty();
		}
	}

	private static List<String> describe(List<PendingMessage> messages) {
		return messages.stream()
			.map((message) -> message.state() + " #" + message.packetId() + " payload="
					+ new String(message.payload(), StandardCharsets.UTF_8))
			.toList();
	}

	private static ConfigurableApplicationContext start(List<String> properties, CutOnBufferedSend listener) {
		return new SpringApplicationBuilder(CrashPublisherApplication.class).web(WebApplicationType.NONE)
			.initializers((context) -> context.getBeanFactory().registerSingleton("cutOnBufferedSend", listener))
			.run(properties.toArray(String[]::new));
	}

	private static void send(ConfigurableApplicationContext context, String topic, String payload) {
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload(payload)
				.setHeader(MqttHeaders.TOPIC, topic)
				.setHeader(MqttHeaders.QOS, 2)
				.build());
	}

	private static List<PendingMessage> pending(ConfigurableApplicationContext context, String clientId) {
		return context.getBean(SessionStore.class).load(clientId).map(MqttSession::pendingMessages).orElse(List.of());
	}

}
