package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.IntStream;

import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * MQTT 5 against a broker that allows topic aliases (HiveMQ allows 5 per client): a
 * publish Paho refuses for a full in-flight window must not leave behind a topic alias
 * the broker never learned.
 */
@ExtendWith(HiveMqExtension.class)
class TopicAliasTests {

	@Test
	void aTopicWhosePublishPahoRefusedForAFullWindowIsPublishedByNameAfterwards() throws Exception {
		String clientId = "topic-alias";
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), "alias/#", 1)) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), clientId)
				.with("mqtt.client.protocol-version=5");
			try (ConfigurableApplicationContext context = app.start()) {
				MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
				proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBACK);
				IntStream.range(0, 10).forEach((i) -> send(channel, "alias/filler", "filler " + i));
				await().atMost(Duration.ofSeconds(20)).until(() -> proxy.heldPacketCount() == 10);
				// Straight to Paho, past the window the starter keeps: Paho refuses it,
				// after it chose an alias
				IMqttAsyncClient client = (IMqttAsyncClient) context.getBean(ClientManager.class).getClient();
				assertThatExceptionOfType(MqttException.class)
					.isThrownBy(
							() -> client.publish("alias/refused", "refused".getBytes(StandardCharsets.UTF_8), 1, false))
					.satisfies((ex) -> assertThat(ex.getReasonCode()).isEqualTo(32202));
				proxy.releaseHeldPackets();
				send(channel, "alias/refused", "published after all");
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(subscriber.received()).contains("published after all"));
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
				assertThat(proxy.connectionCount()).as("connections: a protocol error would have cost one").isOne();
			}
		}
	}

	private static void send(MessageChannel channel, String topic, String payload) {
		channel.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.TOPIC, topic).build());
	}

}
