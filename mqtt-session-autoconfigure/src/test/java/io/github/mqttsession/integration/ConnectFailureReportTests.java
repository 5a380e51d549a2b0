package io.github.mqttsession.integration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.mqttsession.testsupport.FreePort;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import io.moquette.broker.Server;
import io.moquette.broker.config.FluentConfig;
import io.moquette.broker.security.PermitAllAuthorizatorPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that cannot connect, or loses its connection, says so once at WARN with the
 * broker URL and the cause, however often it retries, and its health says the same.
 */
@ExtendWith({ HiveMqExtension.class, OutputCaptureExtension.class })
class ConnectFailureReportTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aBrokerUrlNothingListensOnIsReportedOnceWithTheCause(String version, CapturedOutput output)
			throws IOException {
		// A port bound and not listening: connections are refused, and nothing else can
		// take it while the test runs
		try (Socket reserved = new Socket()) {
			reserved.bind(new InetSocketAddress("127.0.0.1", 0));
			assertBrokerUrlReportedOnce("tcp://127.0.0.1:" + reserved.getLocalPort(), version, output);
		}
	}

	private static void assertBrokerUrlReportedOnce(String url, String version, CapturedOutput output) {
		MqttApplicationRunner app = new MqttApplicationRunner(url, "refused-" + version)
			.with("mqtt.client.protocol-version=" + version, "management.endpoint.health.show-details=always");
		try (ConfigurableApplicationContext context = app.start()) {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			await().atMost(Duration.ofSeconds(60))
				.untilAsserted(() -> assertThat(lastConnectFailure(health, "refused-" + version))
					.containsEntry("url", url)
					.containsEntry("cause", "Connection refused")
					.hasEntrySatisfying("attempts", (attempts) -> assertThat((Integer) attempts).isGreaterThan(3)));
			assertThat(warningsAbout(output, url)).singleElement()
				.asString()
				.contains("MQTT client 'refused-" + version + "' could not connect to " + url + ": Connection refused")
				.contains("it keeps trying");
		}
	}

	@Test
	void aLostConnectionIsAWarningOnceAndTheReconnectIsReported(CapturedOutput output) throws Exception {
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "lost-connection")
				.with("management.endpoint.health.show-details=always", "mqtt.client.max-reconnect-delay=1s");
			try (ConfigurableApplicationContext context = app.start()) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				await().atMost(Duration.ofSeconds(20)).until(() -> proxy.refusedConnectionCount() > 2);
				List<String> warnings = warningsAbout(output, proxy.url());
				// Paho's first reconnect attempt may fail before its callback thread
				// reports the loss: either comes first
				assertThat(warnings).anySatisfy((warning) -> assertThat(warning)
					.contains("MQTT client 'lost-connection' lost its connection to " + proxy.url()));
				// The proxy resets each attempt, which Paho reports as a reset or an end
				// of stream: one line each
				assertThat(warnings).hasSizeLessThanOrEqualTo(3);
				await().atMost(Duration.ofSeconds(20)).until(() -> proxy.refusedConnectionCount() > 6);
				assertThat(warningsAbout(output, proxy.url())).isEqualTo(warnings);
				assertThat(output.getOut()).doesNotContain(" ERROR ");

				proxy.resume();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> output.getOut().contains("MQTT client 'lost-connection' connected to " + proxy.url()));
				assertThat(lastConnectFailures(context.getBean(HealthEndpoint.class))).isNull();
			}
		}
	}

	@Test
	void credentialsTheBrokerRefusesAreReportedWithItsReturnCode(CapturedOutput output) throws IOException {
		Server broker = new Server();
		int port = FreePort.find();
		broker.startServer(
				new FluentConfig().host("127.0.0.1")
					.port(port)
					.disablePersistence()
					.disableTelemetry()
					.disallowAnonymous()
					.build(),
				List.of(), null, (clientId, username, password) -> false, new PermitAllAuthorizatorPolicy());
		try {
			String url = "tcp://127.0.0.1:" + port;
			MqttApplicationRunner app = new MqttApplicationRunner(url, "bad-credentials")
				.with("mqtt.client.username=gateway", "mqtt.client.password=wrong");
			try (ConfigurableApplicationContext context = app.start()) {
				await().atMost(Duration.ofSeconds(20)).until(() -> !warningsAbout(output, url).isEmpty());
				assertThat(warningsAbout(output, url)).singleElement()
					.asString()
					.contains("could not connect to " + url
							+ ": the broker refused the connection: Bad user name or password (return code 4)");
			}
		}
		finally {
			broker.stopServer();
		}
	}

	private static List<String> warningsAbout(CapturedOutput output, String url) {
		return output.getOut().lines().filter((line) -> line.contains(" WARN ") && line.contains(url)).toList();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> lastConnectFailure(HealthEndpoint health, String clientId) {
		Map<String, Object> failures = lastConnectFailures(health);
		assertThat(failures).isNotNull();
		return (Map<String, Object>) failures.get(clientId);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> lastConnectFailures(HealthEndpoint health) {
		IndicatedHealthDescriptor descriptor = (IndicatedHealthDescriptor) health.healthForPath("mqttSession");
		return (Map<String, Object>) descriptor.getDetails().get("lastConnectFailure");
	}

}
