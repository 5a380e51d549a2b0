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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kills a publishing application with SIGKILL and checks that no message whose send
 * returned is lost.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher}) and publishes through a
 * {@link TcpProxy} to the HiveMQ broker of this JVM, keeping its session in an H2 file or
 * in the PostgreSQL server of this JVM. It publishes the numbers 1 to 1,200 one after
 * another (960 on MQTT 5) while the proxy cuts the connection three times (at a sixth,
 * with the messages up to a quarter sent while it is cut and held in the session, at a
 * third, with those up to a half, and once more while the session delivers what it held),
 * and is killed with SIGKILL mid-stream, at two thirds. Started again on the same store
 * and client id, it resends what its session held; a subscriber connected straight to the
 * broker must then have received every number whose send had returned: with QoS 1 at
 * least once, with QoS 2 exactly once.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class CrashTests {

	/**
	 * A number this far beyond the last sent before a cut shows that the session delivers
	 * what it held.
	 */
	private static final int DELIVERING = 50;

	private static final Duration CUT_FOR = Duration.ofSeconds(1);

	private static final Duration RECONNECT = Duration.ofSeconds(30);

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration PUBLISHING = Duration.ofSeconds(90);

	private static final Duration DRAIN = Duration.ofSeconds(90);

	@BeforeAll
	static void copyClassPath() {
		// Early, while the class directories are as this build compiled them
		ChildClassPath.get();
	}

	@ParameterizedTest(name = "QoS {0} on {1}, MQTT {2}, {3} messages")
	@CsvSource({ "2, H2_FILE, 3.1.1, 1200", "1, POSTGRESQL, 3.1.1, 1200", "2, POSTGRESQL, 3.1.1, 1200",
			"1, POSTGRESQL, 5, 960", "2, POSTGRESQL, 5, 960" })
	void everyMessageWhoseSendReturnedArrivesAfterTheApplicationWasKilled(int qos, Store store, String version,
			int messages) throws Exception {
		long started = System.nanoTime();
		String clientId = "crash-qos" + qos + "-" + store.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-mqtt"
				+ version.replace(".", "") + "-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, qos)) {
			List<String> properties = with(properties(proxy.url(), clientId, topic, qos, store),
					"--crash.trace-persistence=true", "--mqtt.client.protocol-version=" + version);
			// Every sixth of the messages a step: cut at 1/6, sent while cut up to 1/4,
			// cut at 1/3, sent while cut up to 1/2, killed at 2/3
			int sixth = messages / 6;
			Run run = new Run(qos, subscriber);
			try (PublisherProcess publisher = PublisherProcess.start(logs.resolve("publish.log"),
					with(properties, "--crash.mode=publish", "--crash.count=" + messages))) {
				run.publisher = publisher;
				publisher.awaitReady(START_UP);
				// Cut 1 while messages are being sent; those sent while it lasts wait in
				// the session until resumed
				publisher.allowUpTo(messages / 4);
				awaitConfirmed(publisher, sixth);
				cut(proxy, publisher, run, messages / 4);
				awaitReceived(subscriber, messages / 4, run);
				// Cut 2 likewise, and cut 3 while the session is delivering what it held
				// through cut 2
				publisher.allowUpTo(messages / 2);
				awaitConfirmed(publisher, 2 * sixth);
				int confirmedAtCut = cut(proxy, publisher, run, messages / 2);
				// No further than the last number allowed before the kill's step
				int delivering = Math.min(confirmedAtCut + DELIVERING, messages / 2);
				eventually(DRAIN, () -> subscriber.receivedNumbers().ceiling(delivering) != null);
				assertThat(subscriber.receivedNumbers().ceiling(delivering))
					.as(() -> "delivery of what the session held through cut 2\n" + run.describe())
					.isNotNull();
				cut(proxy, publisher, run, messages / 2);
				awaitReceived(subscriber, messages / 2, run);
				// Killed while sending, with messages in flight
				publisher.allowUpTo(messages);
				awaitConfirmed(publisher, 4 * sixth);
				run.exitCode = publisher.kill();
				run.confirmed = publisher.confirmed();
			}
			assertThat(run.exitCode).as("exit code of the publisher JVM, 128 + SIGKILL").isEqualTo(137);
			// Checks of the scenario itself: the sends are sequential, and the kill came
			// before the last one
			assertThat(run.confirmed.size()).as(run::describe).isEqualTo(run.confirmed.last());
			assertThat(run.confirmed.last()).as(run::describe).isBetween(4 * sixth, messages - 1);
			try (PublisherProcess resumed = PublisherProcess.start(logs.resolve("resume.log"),
					with(properties, "--crash.mode=resume"))) {
				run.resumed = resumed;
				resumed.awaitReady(START_UP);
				eventually(DRAIN, () -> run.missing().isEmpty());
				// Zero lost: every message whose send returned before the kill has
				// arrived
				assertThat(run.missing()).as(run::describe).isEmpty();
				// The end marker follows everything the restored session resent, so no
				// duplicate can come later
				resumed.command(CrashingPublisher.END);
				eventually(DRAIN, () -> subscriber.hasReceived(CrashingPublisher.END));
				assertThat(subscriber.hasReceived(CrashingPublisher.END)).as(run::describe).isTrue();
				assertThat(subscriber.unexpected()).as(run::describe).isEmpty();
				if (qos == 2) {
					// Zero duplicates at the subscriber with QoS 2. Guards against a
					// message whose send from Paho's offline buffer a cut interrupted:
					// Paho undoes that send and sends the message again under a new
					// packet id, and its buffered entry under the old id must leave the
					// session, or the restarted client publishes it a second time
					// (BufferedMessageCutWhileSendingTests makes that cut every time)
					assertThat(subscriber.duplicates()).as(run::describe).isEmpty();
				}
				resumed.stop();
			}
			System.out.println("[crash] " + run.summary() + " in "
					+ Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
		}
	}

	/**
	 * The command-line properties of the application: small timeouts, a JPA store, no
	 * inbound adapter.
	 */
	static List<String> properties(String brokerUrl, String clientId, String topic, int qos, Store store) {
		List<String> properties = new ArrayList<>(
				List.of("--spring.main.banner-mode=off", "--spring.jpa.hibernate.ddl-auto=validate",
						"--mqtt.session.store=jpa", "--mqtt.session.max-pending-messages=20000",
						"--mqtt.client.url=" + brokerUrl, "--mqtt.client.client-id=" + clientId,
						"--mqtt.client.completion-timeout=5s", "--mqtt.client.quiescent-timeout=0s",
						"--mqtt.client.connection-timeout=3s", "--mqtt.client.max-reconnect-delay=1s",
						"--mqtt.inbound.enabled=false", "--spring.integration.endpoint.default-timeout=1s",
						"--spring.lifecycle.timeout-per-shutdown-phase=5s", "--logging.level.root=WARN",
						"--logging.level.io.github.mqttsession=INFO", "--crash.topic=" + topic, "--crash.qos=" + qos));
		properties.addAll(store.dataSource(clientId));
		return properties;
	}

	static List<String> with(List<String> properties, String... more) {
		List<String> all = new ArrayList<>(properties);
		all.addAll(List.of(more));
		return all;
	}

	/**
	 * The properties with some set anew: a command line that names a property twice gives
	 * it both values at once.
	 * @param properties the properties, as {@code --name=value}
	 * @param replacements the properties to set, each in place of one of the same name or
	 * added
	 * @return the properties
	 */
	static List<String> replacing(List<String> properties, String... replacements) {
		List<String> all = new ArrayList<>(properties);
		for (String replacement : replacements) {
			String name = replacement.substring(0, replacement.indexOf('=') + 1);
			all.removeIf((property) -> property.startsWith(name));
			all.add(replacement);
		}
		return all;
	}

	/**
	 * Cuts the connection, lets the publisher go on up to a sequence number while it is
	 * cut, keeps it cut until the client has tried in vain to reconnect, and lets
	 * connections through again.
	 * @return how many sends had returned when the connection was cut
	 */
	private static int cut(TcpProxy proxy, PublisherProcess publisher, Run run, int sentWhileCut) {
		int refused = proxy.refusedConnectionCount();
		proxy.cut();
		int confirmedAtCut = publisher.confirmedCount();
		awaitConfirmed(publisher, sentWhileCut);
		await().pollDelay(CUT_FOR).atMost(RECONNECT).until(() -> proxy.refusedConnectionCount() > refused);
		proxy.resume();
		run.cuts.add(confirmedAtCut + ".." + publisher.confirmedCount());
		return confirmedAtCut;
	}

	/**
	 * Waits until the subscriber has received a number: the messages sent before it have
	 * been delivered (the session delivers them in order), so the connection is back.
	 */
	private static void awaitReceived(RecordingSubscriber subscriber, int sequence, Run run) {
		String payload = Integer.toString(sequence);
		eventually(DRAIN, () -> subscriber.hasReceived(payload));
		assertThat(subscriber.hasReceived(payload)).as(() -> "message " + sequence + " received\n" + run.describe())
			.isTrue();
	}

	static void awaitConfirmed(PublisherProcess publisher, int count) {
		eventually(PUBLISHING, () -> publisher.confirmedCount() >= count);
		assertThat(publisher.confirmedCount())
			.as(() -> "sends returned; " + publisher.failedSends() + " failed, the last: " + publisher.lastFailure()
					+ "\nThe publisher's log ends with:\n" + publisher.logTail(60))
			.isGreaterThanOrEqualTo(count);
	}

	/**
	 * Waits for a condition and leaves reporting a timeout to the assertion that follows,
	 * which says more.
	 */
	static void eventually(Duration timeout, Callable<Boolean> condition) {
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
			return this.subscriber.missing(this.confirmed);
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
			description.append("\n")
				.append(missing.size())
				.append(" missing, the first: ")
				.append(missing.stream().limit(20).toList());
			description.append("\nduplicates, the first: ");
			this.subscriber.duplicates()
				.keySet()
				.stream()
				.limit(20)
				.forEach((payload) -> description.append("\n  ")
					.append(payload)
					.append(": ")
					.append(this.subscriber.deliveriesOf(payload)));
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
