package io.github.mqttsession.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import com.jayway.jsonpath.JsonPath;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.Subscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a user runs it, twice on the same working data: it publishes and receives
 * readings through its embedded broker, serves its health over HTTP, and on the second
 * start restores the session of the first.
 */
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path workingFolder;

	@Test
	void receivesItsReadingsAndRestoresItsSessionAfterARestart(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext first = start()) {
			assertThat(first.getBean(RestoredSession.class).session()).isEmpty();
			assertThat(output).contains("No stored session for client mqtt-session-sample");
			ReceivedReadings readings = first.getBean(ReceivedReadings.class);
			await().atMost(TIMEOUT).until(() -> readings.count() > 0);
			assertThat(output).containsPattern("Received \\d+\\.\\d on sensors/[a-z-]+/temperature");
			await().atMost(TIMEOUT).until(() -> "UP".equals(JsonPath.read(health(first), "$.status")));
		}
		try (ConfigurableApplicationContext second = start()) {
			RestoredSession restored = second.getBean(RestoredSession.class);
			assertThat(restored.clientId()).isEqualTo("mqtt-session-sample");
			MqttSession session = restored.session().orElseThrow();
			assertThat(session.subscriptions()).extracting(Subscription::topicFilter).contains("sensors/#");
			assertThat(session.packetId()).isPositive();
			assertThat(output).contains("Restored session of client mqtt-session-sample: 1 subscription (sensors/#), ");
			ReceivedReadings readings = second.getBean(ReceivedReadings.class);
			await().atMost(TIMEOUT).until(() -> readings.count() > 0);
		}
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--spring.datasource.url=jdbc:h2:file:" + this.workingFolder.resolve("data/mqtt-session-sample")
						+ ";WRITE_DELAY=0",
				"--mqtt.broker.embedded.port=0",
				"--mqtt.broker.embedded.data-directory=" + this.workingFolder.resolve("data/mqtt-broker"),
				"--sample.publish-interval=250ms", "--mqtt.client.disconnect-timeout=1s");
	}

	private static String health(ConfigurableApplicationContext context) throws Exception {
		String port = context.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

}
