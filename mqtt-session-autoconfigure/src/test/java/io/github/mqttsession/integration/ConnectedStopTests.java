package io.github.mqttsession.integration;

import java.time.Duration;

import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A connected client stops with a DISCONNECT that ends once it is sent: it does not wait
 * out the disconnect timeout, as Paho's forced disconnect (Spring Integration's stop)
 * does even after the broker has closed the connection.
 */
@ExtendWith(HiveMqExtension.class)
class ConnectedStopTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aConnectedClientStopsWithoutWaitingOutTheDisconnectTimeout(String version) throws Exception {
		String clientId = "connected-stop-" + version.replace('.', '-');
		ConfigurableApplicationContext context = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.start("mqtt.client.protocol-version=" + version, "mqtt.client.disconnect-timeout=30s");
		SessionClientManager manager = context.getBean(SessionClientManager.class);
		try {
			await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
		}
		catch (RuntimeException | Error ex) {
			context.close();
			throw ex;
		}
		long started = System.nanoTime();
		context.close();
		Duration stop = Duration.ofNanos(System.nanoTime() - started);
		// A bound on behaviour, not a speed target: the forced disconnect took the whole
		// 30 s disconnect timeout
		assertThat(stop).isLessThan(Duration.ofSeconds(15));
		assertThat(manager.isConnected()).isFalse();
	}

}
