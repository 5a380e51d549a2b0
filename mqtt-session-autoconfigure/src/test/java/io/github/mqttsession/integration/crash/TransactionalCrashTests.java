package io.github.mqttsession.integration.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.mqttsession.apps.mqtt.MqttApplication;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills an application with SIGKILL after its transaction of sends committed and before
 * the client took the messages ({@code mqtt.outbound.transactional}), and checks that the
 * messages are published, in order, once it is started again.
 */
@ExtendWith(HiveMqExtension.class)
class TransactionalCrashTests {

	private static final String MAIN_CLASS = "io.github.mqttsession.integration.crash.TransactionalCrashPublisher";

	private static final int MESSAGES = 10;

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@Test
	void messagesCommittedBeforeTheKillArePublishedAfterTheRestart() throws Exception {
		String clientId = "tx-crash-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		String database = "jdbc:h2:file:" + Path.of("target", "h2", clientId).toAbsolutePath() + ";WRITE_DELAY=0";
		List<String> properties = List.of("--spring.main.banner-mode=off", "--spring.datasource.url=" + database,
				"--spring.datasource.username=sa", "--mqtt.client.url=" + HiveMqExtension.url(),
				"--mqtt.client.client-id=" + clientId, "--mqtt.client.completion-timeout=5s",
				"--mqtt.client.quiescent-timeout=0s", "--mqtt.client.connection-timeout=3s",
				"--spring.lifecycle.timeout-per-shutdown-phase=5s", "--mqtt.outbound.transactional=true",
				"--mqtt.outbound.default-topic=" + topic, "--mqtt.inbound.enabled=false");
		try (RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, 1)) {
			killAfterCommit(properties, clientId);
			assertThat(outboxRows(database, clientId)).isEqualTo(MESSAGES);
			assertThat(subscriber.received()).isEmpty();

			try (ConfigurableApplicationContext context = new SpringApplicationBuilder(MqttApplication.class)
				.web(WebApplicationType.NONE)
				.run(properties.toArray(String[]::new))) {
				List<String> expected = new ArrayList<>();
				for (int i = 1; i <= MESSAGES; i++) {
					expected.add(Integer.toString(i));
				}
				await().atMost(Duration.ofSeconds(30))
					.untilAsserted(() -> assertThat(subscriber.received()).hasSize(MESSAGES));
				assertThat(subscriber.received()).containsExactlyElementsOf(expected);
			}
			assertThat(outboxRows(database, clientId)).isZero();
		}
	}

	private static void killAfterCommit(List<String> properties, String clientId) throws Exception {
		Path log = Path.of("target", "crash", clientId + ".log").toAbsolutePath();
		Files.createDirectories(log.getParent());
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
						"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", ChildClassPath.get(), MAIN_CLASS));
		command.addAll(properties);
		command.add("--crash.count=" + MESSAGES);
		Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		try {
			AtomicBoolean committed = new AtomicBoolean();
			Thread reader = new Thread(() -> readUntilCommitted(process, committed), "tx-crash-reader");
			reader.setDaemon(true);
			reader.start();
			await().atMost(Duration.ofSeconds(90)).until(() -> committed.get() || !process.isAlive());
			assertThat(committed).as(() -> "the child committed its sends; its log ends with:\n" + tail(log)).isTrue();
		}
		finally {
			// SIGKILL
			process.destroyForcibly();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	private static void readUntilCommitted(Process process, AtomicBoolean committed) {
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				if (line.equals("COMMITTED")) {
					committed.set(true);
				}
			}
		}
		catch (IOException ex) {
			// The process was killed
		}
	}

	private static String tail(Path log) {
		try {
			List<String> lines = Files.readAllLines(log);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	private static int outboxRows(String database, String clientId) throws SQLException {
		try (Connection connection = DriverManager.getConnection(database, "sa", "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = '"
						+ clientId + "' AND STATE = 'TRANSACTIONAL_OUTBOX'")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
