package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills an application whose inbound flow writes a row per QoS 2 message into its own
 * table inside the flow's transaction ({@code mqtt.inbound.transactional}) at each point
 * of a message's way, and counts the rows: exactly one per message, none missing, on MQTT
 * 3.1.1 and 5.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher} with its inbound flow
 * on), subscribed with QoS 2 and clean session off through a {@link TcpProxy}, its
 * session and its table in the PostgreSQL server of this JVM. A client of this JVM
 * publishes numbered QoS 2 messages straight to the broker.
 * <ol>
 * <li>With the proxy holding back PUBREL, message 6 arrives and is acknowledged with
 * PUBREC (on MQTT 5 its flow runs and commits then), and the application is killed; 7 and
 * 8 are published while it is down.</li>
 * <li>Started again, it blocks in the flow of message 12 after writing its row, inside
 * the transaction, with 13 published right after it, and is killed.</li>
 * <li>Started again, while messages up to {@value #MESSAGES} stream in, it halts itself
 * right after the transaction of message {@value #HALT_AFTER_COMMIT} committed, before
 * the client completed the message with the broker.</li>
 * <li>Started again, it receives the rest.</li>
 * </ol>
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class TransactionalInboundCrashTests {

	private static final int MESSAGES = 1_000;

	/** The message killed between PUBREC and PUBREL. */
	private static final int UNRELEASED = 6;

	/** The message killed in its flow. */
	private static final int BLOCKED = 12;

	/** The message whose commit halts the application. */
	private static final int HALT_AFTER_COMMIT = 300;

	private static final String END = CrashingPublisher.END;

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration DELIVERY = Duration.ofSeconds(60);

	private static HikariDataSource database;

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
		database = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
	}

	@AfterAll
	static void closeDatabase() {
		database.close();
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void eachMessageWritesItsRowExactlyOnceAcrossKillsAtEveryPoint(String version) throws Exception {
		boolean mqtt5 = version.equals("5");
		String clientId = "crash-inbound-tx-mqtt" + version.replace(".", "") + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		Rows rows = new Rows(new JdbcTemplate(database), clientId);
		List<PublisherProcess> runs = new ArrayList<>();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				NumberPublisher publisher = new NumberPublisher(topic)) {
			List<String> properties = CrashTests.replacing(
					CrashTests.properties(proxy.url(), clientId, topic, 2, CrashTests.Store.POSTGRESQL),
					"--mqtt.inbound.enabled=true", "--mqtt.inbound.topics[0].filter=" + topic,
					"--mqtt.inbound.topics[0].qos=2", "--mqtt.client.protocol-version=" + version,
					"--mqtt.inbound.transactional=true", "--crash.record-inbound=true", "--crash.inbound-table=true",
					"--crash.mode=resume");

			// 1. Between PUBREC and PUBREL
			try (PublisherProcess first = start(logs.resolve("first.log"), properties, runs)) {
				await(() -> first.inbound().subscriptions() > 0, runs, rows, "subscribed");
				publisher.publish(1, 5);
				await(() -> rows.count() == 5, runs, rows, "rows of 1..5");
				// The flow of 5 is complete before PUBRELs are held, or the broker holds
				// 6
				// back behind it
				await(() -> first.inbound().released("5"), runs, rows, "5 completed");
				proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBREL);
				publisher.publish(UNRELEASED, UNRELEASED);
				await(() -> proxy.heldPacketCount() > 0, runs, rows, "PUBREL of 6 held");
				if (mqtt5) {
					// The MQTT 5 client hands a message over as it arrives
					await(() -> rows.of(UNRELEASED) == 1, runs, rows, "row of 6");
				}
				else {
					assertThat(rows.of(UNRELEASED)).as(() -> describe(runs, rows)).isZero();
				}
				assertThat(first.kill()).as("exit code of the killed JVM, 128 + SIGKILL").isEqualTo(137);
			}
			proxy.discardHeldPackets();
			publisher.publish(UNRELEASED + 1, 8);

			// 2. Inside the flow, its row written and not committed
			try (PublisherProcess second = start(logs.resolve("second.log"),
					CrashTests.with(properties, "--crash.block-on=" + BLOCKED), runs)) {
				publisher.publish(9, 11);
				await(() -> rows.count() == 11, runs, rows, "rows of 1..11");
				publisher.publish(BLOCKED, BLOCKED + 1);
				await(() -> Integer.toString(BLOCKED).equals(second.inbound().handling()), runs, rows, "blocked in 12");
				assertThat(second.kill()).as("exit code of the killed JVM, 128 + SIGKILL").isEqualTo(137);
			}
			assertThat(rows.of(BLOCKED)).as(() -> describe(runs, rows)).isZero();

			// 3. Right after a commit, before the client completed the message; the rest
			// streams in
			CompletableFuture<Void> stream;
			try (PublisherProcess third = start(logs.resolve("third.log"),
					CrashTests.with(properties, "--crash.halt-after-commit-of=" + HALT_AFTER_COMMIT), runs)) {
				stream = CompletableFuture.runAsync(() -> publish(publisher, BLOCKED + 2, MESSAGES));
				assertThat(third.awaitExit(DELIVERY)).as("exit code of the halted JVM").isEqualTo(137);
				assertThat(third.inbound().committed(Integer.toString(HALT_AFTER_COMMIT)))
					.as(() -> describe(runs, rows))
					.isTrue();
			}
			assertThat(rows.of(HALT_AFTER_COMMIT)).as(() -> describe(runs, rows)).isOne();

			stream.join();

			// 4. The rest
			try (PublisherProcess fourth = start(logs.resolve("fourth.log"), properties, runs)) {
				// The end marker follows everything the broker held for the session
				publisher.publish(END);
				await(() -> fourth.inbound().handled().contains(END), runs, rows, "end marker");
				// Complete: once the broker released every message, no record of a
				// message, nor of its handling, stays
				await(() -> sessionRecords(clientId).isEmpty(), runs, rows, "no record left");
				fourth.stop();
			}
			Map<Integer, Integer> counts = rows.counts();
			List<Integer> missing = new ArrayList<>();
			Map<Integer, Integer> duplicated = new TreeMap<>();
			for (int number = 1; number <= MESSAGES; number++) {
				int count = counts.getOrDefault(number, 0);
				if (count == 0) {
					missing.add(number);
				}
				else if (count > 1) {
					duplicated.put(number, count);
				}
			}
			assertThat(missing).as(() -> "missing rows" + describe(runs, rows)).isEmpty();
			assertThat(duplicated).as(() -> "duplicated rows" + describe(runs, rows)).isEmpty();
		}
	}

	private static List<String> sessionRecords(String clientId) {
		return new JdbcTemplate(database).queryForList(
				"SELECT STATE || ' ' || PACKET_ID FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ?", String.class,
				clientId);
	}

	private static PublisherProcess start(Path log, List<String> properties, List<PublisherProcess> runs) {
		PublisherProcess process = PublisherProcess.start(log, properties);
		runs.add(process);
		process.awaitReady(START_UP);
		return process;
	}

	/**
	 * Publishes numbered messages, each once: one the client refuses for its full
	 * in-flight window is published again.
	 */
	private static void publish(NumberPublisher publisher, int first, int last) {
		for (int number = first; number <= last; number++) {
			while (true) {
				try {
					publisher.publish(Integer.toString(number));
					break;
				}
				catch (MqttException ex) {
					if (ex.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
						throw new IllegalStateException(ex);
					}
					LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
				}
			}
		}
	}

	private static void await(BooleanSupplier condition, List<PublisherProcess> runs, Rows rows, String what) {
		CrashTests.eventually(DELIVERY, condition::getAsBoolean);
		if (condition.getAsBoolean()) {
			return;
		}
		// The threads of a child that stopped making progress, before it is killed
		String dumps = runs.stream().map(PublisherProcess::dumpThreads).collect(Collectors.joining(", "));
		assertThat(condition.getAsBoolean()).as(() -> what + "; thread dumps: " + dumps + describe(runs, rows))
			.isTrue();
	}

	private static String describe(List<PublisherProcess> runs, Rows rows) {
		StringBuilder description = new StringBuilder("\nrows: " + rows.count() + " of " + rows.counts().size()
				+ " numbers; the session's records: " + sessionRecords(rows.clientId()));
		for (int i = 0; i < runs.size(); i++) {
			PublisherProcess run = runs.get(i);
			description.append("\n--- run ")
				.append(i + 1)
				.append(", blocked in ")
				.append(run.inbound().handling())
				.append("; its log ends with:\n")
				.append(run.logTail(40));
		}
		return description.toString();
	}

	/** The application's rows of the client, as the test's own connection sees them. */
	private record Rows(JdbcTemplate jdbc, String clientId) {

		int count() {
			return counts().values().stream().mapToInt(Integer::intValue).sum();
		}

		int of(int number) {
			return counts().getOrDefault(number, 0);
		}

		Map<Integer, Integer> counts() {
			Map<Integer, Integer> counts = new TreeMap<>();
			try {
				this.jdbc
					.queryForList("SELECT PAYLOAD FROM INBOUND_ROW WHERE CLIENT_ID = ?", String.class, this.clientId)
					.stream()
					.filter((payload) -> !payload.equals(END))
					.forEach((payload) -> counts.merge(Integer.valueOf(payload), 1, Integer::sum));
			}
			catch (BadSqlGrammarException ex) {
				// The application creates the table when it first starts
			}
			return counts;
		}

	}

}
