package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;

import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a publishing application with SIGKILL and checks that no message whose send returned is lost.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher}) and publishes through a {@link TcpProxy} to the
 * HiveMQ broker of this JVM, keeping its session in an H2 file or in the PostgreSQL server of this JVM. It publishes
 * the numbers 1 to 5,000 one after another while the proxy cuts the connection twice (some hundred messages are
 * sent while it is cut, buffered in the session), and is killed with SIGKILL mid-stream, at about 3,500.
 * Started again on the same store and client id, it resends what its session held; a subscriber connected straight
 * to the broker must then have received every number whose send had returned: with QoS 1 at least once, with
 * QoS 2 exactly once.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class CrashTests {

	private static final int MESSAGES = 5_000;

	private static final int[] CUT_AT = { 1_000, 2_500 };

	private static final int SENT_WHILE_CUT = 500;

	private static final Duration CUT_FOR = Duration.ofSeconds(1);

	private static final Duration RECONNECT = Duration.ofSeconds(30);

	private static final int KILL_AT = 3_500;

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration PUBLISHING = Duration.ofSeconds(90);

	private static final Duration DRAIN = Duration.ofSeconds(90);

	@ParameterizedTest(name = "QoS {0} on {1}")
	@CsvSource({ "1, H2_FILE", "2, H2_FILE", "1, POSTGRESQL", "2, POSTGRESQL" })
	void everyMessageWhoseSendReturnedArrivesAfterTheApplicationWasKilled(int qos, Store store) throws Exception {
		long started = System.nanoTime();
		String clientId = "crash-qos" + qos + "-" + store.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, qos)) {
			List<String> properties = properties(proxy.url(), clientId, topic, qos, store);
			Run run = new Run(qos, subscriber);
			try (PublisherProcess publisher = PublisherProcess.start(logs.resolve("publish.log"),
					with(properties, "--crash.mode=publish", "--crash.count=" + MESSAGES))) {
				run.publisher = publisher;
				publisher.awaitReady(START_UP);
				for (int cutAt : CUT_AT) {
					// The cut comes while messages are being sent, and some more are sent while it lasts
					publisher.allowUpTo(cutAt + SENT_WHILE_CUT);
					awaitConfirmed(publisher, cutAt);
					int connections = proxy.connectionCount();
					int refused = proxy.refusedConnectionCount();
					proxy.cut();
					int confirmedAtCut = publisher.confirmedCount();
					awaitConfirmed(publisher, cutAt + SENT_WHILE_CUT);
					// At least a second, and long enough for the client to have tried to reconnect in vain
					await().pollDelay(CUT_FOR).atMost(RECONNECT).until(() -> proxy.refusedConnectionCount() > refused);
					proxy.resume();
					await().atMost(RECONNECT).until(() -> proxy.connectionCount() > connections);
					run.cuts.add(confirmedAtCut + ".." + publisher.confirmedCount());
				}
				publisher.allowUpTo(MESSAGES);
				awaitConfirmed(publisher, KILL_AT);
				run.exitCode = publisher.kill();
				run.confirmed = publisher.confirmed();
			}
			assertThat(run.exitCode).as("exit code of the publisher JVM, 128 + SIGKILL").isEqualTo(137);
			// Checks of the scenario itself: the sends are sequential, and the kill came before the last one
			assertThat(run.confirmed.size()).as(run::describe).isEqualTo(run.confirmed.last());
			assertThat(run.confirmed.last()).as(run::describe).isBetween(KILL_AT, MESSAGES - 1);
			try (PublisherProcess resumed = PublisherProcess.start(logs.resolve("resume.log"),
					with(properties, "--crash.mode=resume"))) {
				run.resumed = resumed;
				resumed.awaitReady(START_UP);
				eventually(DRAIN, () -> run.missing().isEmpty());
				// Zero lost: every message whose send returned before the kill has arrived
				assertThat(run.missing()).as(run::describe).isEmpty();
				// The end marker follows everything the restored session resent, so no duplicate can come later
				resumed.command(CrashingPublisher.END);
				eventually(DRAIN, () -> subscriber.hasReceived(CrashingPublisher.END));
				assertThat(subscriber.hasReceived(CrashingPublisher.END)).as(run::describe).isTrue();
				assertThat(subscriber.unexpected()).as(run::describe).isEmpty();
				if (qos == 2) {
					// Zero duplicates at the subscriber with QoS 2
					assertThat(subscriber.duplicates()).as(run::describe).isEmpty();
				}
				resumed.stop();
			}
			System.out.println("[crash] " + run.summary() + " in "
					+ Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
		}
	}

	private static List<String> properties(String brokerUrl, String clientId, String topic, int qos, Store store) {
		List<String> properties = new ArrayList<>(List.of("--spring.main.banner-mode=off",
				"--spring.jpa.hibernate.ddl-auto=validate", "--mqtt.session.store=jpa",
				"--mqtt.session.max-pending-messages=20000", "--mqtt.client.url=" + brokerUrl,
				"--mqtt.client.client-id=" + clientId, "--mqtt.client.max-inflight=100",
				"--mqtt.client.completion-timeout=5s", "--mqtt.client.disconnect-timeout=1s",
				"--mqtt.client.quiescent-timeout=0s", "--mqtt.client.connection-timeout=3s",
				"--mqtt.client.max-reconnect-delay=2s", "--mqtt.inbound.enabled=false",
				"--spring.integration.endpoint.default-timeout=1s", "--spring.lifecycle.timeout-per-shutdown-phase=5s",
				"--logging.level.root=WARN", "--logging.level.io.github.mqttsession=INFO", "--crash.topic=" + topic,
				"--crash.qos=" + qos));
		properties.addAll(store.dataSource(clientId));
		return properties;
	}

	private static List<String> with(List<String> properties, String... more) {
		List<String> all = new ArrayList<>(properties);
		all.addAll(List.of(more));
		return all;
	}

	private static void awaitConfirmed(PublisherProcess publisher, int count) {
		eventually(PUBLISHING, () -> publisher.confirmedCount() >= count);
		assertThat(publisher.confirmedCount())
			.as(() -> "sends returned; " + publisher.failedSends() + " failed, the last: " + publisher.lastFailure()
					+ "\nThe publisher's log ends with:\n" + publisher.logTail(60))
			.isGreaterThanOrEqualTo(count);
	}

	/**
	 * Waits for a condition and leaves reporting a timeout to the assertion that follows, which says more.
	 */
	private static void eventually(Duration timeout, Callable<Boolean> condition) {
		try {
			await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(condition);
		}
		catch (ConditionTimeoutException ex) {
			// the assertion that follows fails with the details
		}
	}

	/** Where the application keeps its session. */
	enum Store {

		/** An H2 database in a file under {@code target/h2}, written at every commit. */
		H2_FILE {

			@Override
			List<String> dataSource(String clientId) {
				Path file = Path.of("target", "h2", clientId).toAbsolutePath();
				return List.of("--spring.datasource.url=jdbc:h2:file:" + file + ";WRITE_DELAY=0",
						"--spring.datasource.username=sa", "--spring.datasource.password=");
			}

		},

		/** The PostgreSQL server of the test JVM, with synchronous commits. */
		POSTGRESQL {

			@Override
			List<String> dataSource(String clientId) {
				return List.of("--spring.datasource.url=" + EmbeddedPostgresExtension.jdbcUrl(),
						"--spring.datasource.username=postgres", "--spring.datasource.password=postgres");
			}

		};

		abstract List<String> dataSource(String clientId);

	}

	/** What one test case saw, for its assertions and for a diagnosis when one fails. */
	private static final class Run {

		private final int qos;

		private final RecordingSubscriber subscriber;

		private final List<String> cuts = new ArrayList<>();

		private PublisherProcess publisher;

		private PublisherProcess resumed;

		private NavigableSet<Integer> confirmed = new TreeSet<>();

		private int exitCode;

		Run(int qos, RecordingSubscriber subscriber) {
			this.qos = qos;
			this.subscriber = subscriber;
		}

		NavigableSet<Integer> missing() {
			NavigableSet<Integer> missing = new TreeSet<>(this.confirmed);
			missing.removeAll(this.subscriber.receivedNumbers());
			return missing;
		}

		String summary() {
			return "QoS " + this.qos + ": " + this.confirmed.size() + " sends returned before SIGKILL (cut from-to "
					+ this.cuts + "), " + this.subscriber.received().size() + " messages received, "
					+ this.subscriber.receivedNumbers().size() + " distinct, " + this.subscriber.duplicates().size()
					+ " duplicated, " + ((this.publisher != null) ? this.publisher.failedSends() : 0)
					+ " send attempts failed";
		}

		String describe() {
			NavigableSet<Integer> missing = missing();
			StringBuilder description = new StringBuilder(summary());
			description.append("\n").append(missing.size()).append(" missing, the first: ")
				.append(missing.stream().limit(20).toList());
			description.append("\nduplicates (payload=count), the first: ")
				.append(this.subscriber.duplicates().entrySet().stream().limit(20).toList());
			if (this.publisher != null) {
				description.append("\nlast failed send: ").append(this.publisher.lastFailure());
				description.append("\n--- the killed publisher's log ends with:\n").append(this.publisher.logTail(60));
			}
			if (this.resumed != null) {
				description.append("\n--- the resumed publisher's log ends with:\n").append(this.resumed.logTail(60));
			}
			return description.toString();
		}

	}

}
