package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.UUID;
import java.util.regex.Pattern;

import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.github.mqttsession.integration.crash.CrashTests.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stops a publishing application with SIGTERM, a graceful stop through Spring Boot's
 * shutdown hook, while many sends are in flight or wait for room in the in-flight window,
 * and checks that no message whose send returned is lost.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher} in {@code flood} mode)
 * on MQTT 3.1.1 at the default in-flight window, quiescent timeout, send timeout and
 * shutdown phase timeout, keeps its session in the PostgreSQL server of this JVM
 * (synchronous commits) and publishes from 16 threads at once. Stopped mid-stream, it
 * must exit within {@code mqtt.outbound.send-timeout} plus the shutdown phase timeout,
 * and its session's writer must have drained before the connection pool closed: its log
 * shows no write to a closed pool. Started again on the same store and client id, it
 * resends what its session held; a subscriber connected straight to the broker must then
 * have received every number whose send had returned: with QoS 1 at least once, with QoS
 * 2 exactly once.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class GracefulStopTests {

	private static final int MESSAGES = 20_000;

	private static final int THREADS = 16;

	private static final int STOP_AT = 1_000;

	/**
	 * {@code mqtt.outbound.send-timeout} plus
	 * {@code spring.lifecycle.timeout-per-shutdown-phase}, both at their defaults.
	 */
	private static final Duration EXIT = Duration.ofSeconds(30 + 30);

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration DRAIN = Duration.ofSeconds(60);

	/**
	 * What the log says of a write to a closed connection pool, or of any write of the
	 * session that failed.
	 */
	private static final Pattern CLOSED_POOL = Pattern.compile(
			"(?i)(HikariDataSource.*has been closed|pool.*(is )?(closed|shut ?down)|Could not (write a change|remove \\d+ completed))");

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@ParameterizedTest(name = "QoS {0}")
	@ValueSource(ints = { 1, 2 })
	void everyMessageWhoseSendReturnedBeforeSigtermArrives(int qos) throws Exception {
		String clientId = "sigterm-qos" + qos + "-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, qos)) {
			List<String> properties = atDefaultStopTimeouts(
					CrashTests.properties(proxy.url(), clientId, topic, qos, CrashTests.Store.POSTGRESQL));
			NavigableSet<Integer> confirmed;
			try (PublisherProcess publisher = PublisherProcess.start(logs.resolve("publish.log"), CrashTests
				.with(properties, "--crash.mode=flood", "--crash.count=" + MESSAGES, "--crash.threads=" + THREADS))) {
				publisher.awaitReady(START_UP);
				eventually(START_UP, () -> publisher.confirmedCount() >= STOP_AT);
				assertThat(publisher.confirmedCount()).as(() -> publisher.logTail(60)).isGreaterThanOrEqualTo(STOP_AT);
				long stopping = System.nanoTime();
				int exitCode = publisher.terminate(EXIT);
				long stoppedIn = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
				confirmed = publisher.confirmed();
				assertThat(exitCode).as("exit code of the publisher JVM, 128 + SIGTERM").isEqualTo(143);
				// Stopped while sending: the sends were not done
				assertThat(confirmed).as("sends that returned").hasSizeLessThan(MESSAGES);
				assertThat(publisher.log()).as("the stopped publisher's log").doesNotContainPattern(CLOSED_POOL);
				System.out.println("[sigterm] QoS " + qos + ": " + confirmed.size() + " sends returned, "
						+ publisher.failedSends() + " attempts failed, exited in " + stoppedIn + " ms");
			}
			try (PublisherProcess resumed = PublisherProcess.start(logs.resolve("resume.log"),
					CrashTests.with(properties, "--crash.mode=resume"))) {
				resumed.awaitReady(START_UP);
				eventually(DRAIN, () -> subscriber.missing(confirmed).isEmpty());
				assertThat(subscriber.missing(confirmed)).as("messages whose send returned, not received").isEmpty();
				// The end marker follows everything the restored session resent, so no
				// duplicate can come later
				resumed.command(CrashingPublisher.END);
				eventually(DRAIN, () -> subscriber.hasReceived(CrashingPublisher.END));
				assertThat(subscriber.hasReceived(CrashingPublisher.END)).isTrue();
				assertThat(subscriber.unexpected()).isEmpty();
				if (qos == 2) {
					assertThat(subscriber.duplicates()).isEmpty();
				}
				resumed.stop();
				assertThat(resumed.log()).as("the resumed publisher's log").doesNotContainPattern(CLOSED_POOL);
			}
		}
	}

	/**
	 * The crash tests' properties without their short quiescent and shutdown phase
	 * timeouts: a graceful stop is tested as an application meets it.
	 */
	private static List<String> atDefaultStopTimeouts(List<String> properties) {
		return properties.stream()
			.filter((property) -> !property.startsWith("--mqtt.client.quiescent-timeout=")
					&& !property.startsWith("--spring.lifecycle.timeout-per-shutdown-phase="))
			.toList();
	}

}
