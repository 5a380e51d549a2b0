package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Another client that connects with the application's client id takes the session over.
 * On MQTT 5, which says so in the DISCONNECT, the application says so once at ERROR, its
 * health is {@code DOWN} with the cause, and it does not reconnect, which would throw the
 * other client off again and again. On MQTT 3.1.1, which cannot tell it from a network
 * that drops connections, the pattern is reported once at ERROR and the client goes on.
 */
@ExtendWith({ HiveMqExtension.class, OutputCaptureExtension.class })
@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "io.github.mqttsession.integration.ConnectionFailures",
		message = "to another client with the same client id", reason = "the tests take the session over")
class SessionTakeoverTests {

	@Test
	void onMqtt311ConnectionsThrownOffRightAfterTheyAreMadeAreReportedOnceAndTheClientGoesOn(CapturedOutput output)
			throws Exception {
		String clientId = "possibly-taken-over";
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.with("mqtt.client.protocol-version=3.1.1");
		try (ConfigurableApplicationContext context = app.start()) {
			ClientManager<?, ?> manager = context.getBean(ClientManager.class);
			await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
			try (SameIdClient other = SameIdClient.mqttv3(clientId)) {
				await().atMost(Duration.ofSeconds(30)).until(() -> !errors(output, clientId).isEmpty());
				assertThat(errors(output, clientId)).singleElement()
					.asString()
					.contains("MQTT client '" + clientId + "' may be losing its session")
					.contains("It keeps reconnecting");
				// The client goes on: it throws the other client off again
				int losses = other.losses.get();
				await().atMost(Duration.ofSeconds(15)).until(() -> other.losses.get() > losses);
				assertThat(errors(output, clientId)).hasSize(1);
			}
		}
	}

	@Test
	void onMqtt5ASessionTakenOverIsReportedOnceAndNotFoughtFor(CapturedOutput output) throws Exception {
		String version = "5";
		String clientId = "taken-over-" + version;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.with("mqtt.client.protocol-version=" + version, "management.endpoint.health.show-details=always");
		try (ConfigurableApplicationContext context = app.start()) {
			ClientManager<?, ?> manager = context.getBean(ClientManager.class);
			await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
			try (SameIdClient other = SameIdClient.mqttv5(clientId)) {
				await().atMost(Duration.ofSeconds(30)).until(() -> !errors(output, clientId).isEmpty());
				assertThat(errors(output, clientId)).singleElement()
					.asString()
					.contains("MQTT client '" + clientId + "' lost its session at " + HiveMqExtension.url())
					.contains("give this application another mqtt.client.client-id");
				IndicatedHealthDescriptor health = (IndicatedHealthDescriptor) context.getBean(HealthEndpoint.class)
					.healthForPath("mqttSession");
				assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
				assertThat(health.getDetails().get("clients")).isEqualTo(Map.of(clientId, "taken over"));
				assertThat(health.getDetails().get("lastConnectFailure")).asString()
					.contains("the session was taken over by another client with the same client id");

				// The other client has the session from now on: it was never thrown off
				await().atMost(Duration.ofSeconds(10)).until(other.connected::getAsBoolean);
				int losses = other.losses.get();
				assertThat(losses).isZero();
				await().during(Duration.ofSeconds(3))
					.atMost(Duration.ofSeconds(5))
					.until(() -> other.connected.getAsBoolean() && other.losses.get() == losses);
				assertThat(manager.isConnected()).isFalse();
				assertThat(errors(output, clientId)).hasSize(1);
				// Paho's reconnect timer of the application's client is gone, not idle
				await().atMost(Duration.ofSeconds(5)).until(() -> !reconnectTimerRuns(clientId));

				// Published meanwhile: stored, as while offline
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("meanwhile").setHeader(MqttHeaders.TOPIC, clientId).build());
				assertThat(OfflinePublishingTests.pending(context, clientId)).hasSize(1);
			}
		}
		// Started again, the application connects again and sends what was stored
		try (ConfigurableApplicationContext context = app.start()) {
			await().atMost(Duration.ofSeconds(10)).until(context.getBean(ClientManager.class)::isConnected);
			await().atMost(Duration.ofSeconds(10))
				.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
			assertThat(context.getBean(HealthEndpoint.class).healthForPath("mqttSession").getStatus().getCode())
				.isEqualTo("UP");
		}
	}

	private static boolean reconnectTimerRuns(String clientId) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.anyMatch((thread) -> thread.getName().equals("MQTT Reconnect: " + clientId) && thread.isAlive());
	}

	private static List<String> errors(CapturedOutput output, String clientId) {
		return output.getOut()
			.lines()
			.filter((line) -> line.contains(" ERROR ") && line.contains("'" + clientId + "'"))
			.toList();
	}

	/**
	 * A plain Paho client with the application's client id that reconnects by itself, as
	 * a second instance of the application would, and counts the connections it lost.
	 */
	private record SameIdClient(BooleanSupplier connected, AtomicInteger losses,
			AutoCloseable closer) implements AutoCloseable {

		static SameIdClient mqttv3(String clientId) throws Exception {
			AtomicInteger losses = new AtomicInteger();
			org.eclipse.paho.client.mqttv3.MqttAsyncClient client = new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
					HiveMqExtension.url(), clientId, new MemoryPersistence());
			client.setCallback(new MqttCallback() {

				@Override
				public void connectionLost(Throwable cause) {
					losses.incrementAndGet();
				}

				@Override
				public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
				}

				@Override
				public void deliveryComplete(IMqttDeliveryToken token) {
				}

			});
			MqttConnectOptions options = new MqttConnectOptions();
			options.setAutomaticReconnect(true);
			options.setMaxReconnectDelay(1000);
			client.connect(options).waitForCompletion(5000);
			return new SameIdClient(client::isConnected, losses, () -> {
				client.disconnectForcibly(0, 1000);
				client.close();
			});
		}

		static SameIdClient mqttv5(String clientId) throws MqttException {
			AtomicInteger losses = new AtomicInteger();
			MqttAsyncClient client = new MqttAsyncClient(HiveMqExtension.url(), clientId,
					new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
			client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {

				@Override
				public void disconnected(MqttDisconnectResponse response) {
					losses.incrementAndGet();
				}

				@Override
				public void mqttErrorOccurred(MqttException exception) {
				}

				@Override
				public void messageArrived(String topic, MqttMessage message) {
				}

				@Override
				public void deliveryComplete(IMqttToken token) {
				}

				@Override
				public void connectComplete(boolean reconnect, String serverURI) {
				}

				@Override
				public void authPacketArrived(int reasonCode, MqttProperties properties) {
				}

			});
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setAutomaticReconnect(true);
			options.setAutomaticReconnectDelay(1, 1);
			client.connect(options).waitForCompletion(5000);
			return new SameIdClient(client::isConnected, losses, () -> {
				client.disconnectForcibly(0, 1000, false);
				client.close();
			});
		}

		@Override
		public void close() throws Exception {
			this.closer.close();
		}

	}

}
