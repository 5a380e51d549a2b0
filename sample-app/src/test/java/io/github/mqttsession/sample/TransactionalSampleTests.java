package io.github.mqttsession.sample;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.mqttsession.broker.EmbeddedMqttBroker;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample in its transactional mode, as a user starts it with
 * {@code --spring.profiles.active=transactional}: it stores the readings it receives in
 * its table {@code READING}, and a reading above the threshold inserts a row of
 * {@code ALERT} and publishes an alert to {@code alerts/<sensor>}, which a plain MQTT
 * client subscribed to the embedded broker receives.
 */
@ExtendWith(OutputCaptureExtension.class)
class TransactionalSampleTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path workingFolder;

	@Test
	void storesItsReadingsAndPublishesAnAlertWithItsRow(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext context = start()) {
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			List<String> alerts = new CopyOnWriteArrayList<>();
			MqttClient subscriber = new MqttClient(context.getBean(EmbeddedMqttBroker.class).url(),
					"transactional-sample-test", new MemoryPersistence());
			try {
				MqttConnectOptions options = new MqttConnectOptions();
				options.setCleanSession(true);
				subscriber.connect(options);
				subscriber.subscribe("alerts/#", 1, (topic, message) -> alerts
					.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));

				await().atMost(TIMEOUT).until(() -> count(jdbc, "READING") >= 3);
				assertThat(output).containsPattern("Stored reading \\d+\\.\\d °C of [a-z-]+");
				await().atMost(TIMEOUT).until(() -> !alerts.isEmpty());
				String alert = alerts.get(0);
				String sensor = alert.substring("alerts/".length(), alert.indexOf(' '));
				double celsius = Double.parseDouble(alert.substring(alert.indexOf(' ') + 1));
				assertThat(celsius).isGreaterThan(22.0);
				// The alert's row was committed with the message, whose reading was
				// stored first
				List<Map<String, Object>> rows = jdbc.queryForList(
						"SELECT SENSOR FROM ALERT WHERE SENSOR = ? AND ABS(CELSIUS - ?) < 0.05", sensor, celsius);
				assertThat(rows).isNotEmpty();
				assertThat(
						jdbc.queryForObject("SELECT COUNT(*) FROM READING WHERE SENSOR = ? AND ABS(CELSIUS - ?) < 0.05",
								Integer.class, sensor, celsius))
					.isPositive();
				// Logged after the commit, which may be after the subscriber received it
				await().atMost(TIMEOUT)
					.untilAsserted(() -> assertThat(output).containsPattern("Alert \\d+\\.\\d °C of " + sensor
							+ " \\(above 22\\.0 °C\\) published after commit to alerts/" + sensor));
				assertThat(jdbc.queryForObject("SELECT MAX(CELSIUS) FROM ALERT", Double.class)).isGreaterThan(22.0);
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM ALERT WHERE CELSIUS <= 22.0", Integer.class))
					.isZero();
			}
			finally {
				if (subscriber.isConnected()) {
					subscriber.disconnect();
				}
				subscriber.close();
			}
		}
	}

	private static int count(JdbcTemplate jdbc, String table) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
	}

	private ConfigurableApplicationContext start() {
		return new SpringApplicationBuilder(SampleApplication.class).run("--spring.profiles.active=transactional",
				"--server.port=0",
				"--spring.datasource.url=jdbc:h2:file:" + this.workingFolder.resolve("data/mqtt-session-sample")
						+ ";WRITE_DELAY=0",
				"--mqtt.broker.embedded.port=0",
				"--mqtt.broker.embedded.data-directory=" + this.workingFolder.resolve("data/mqtt-broker"),
				"--sample.publish-interval=250ms", "--mqtt.client.disconnect-timeout=1s");
	}

}
