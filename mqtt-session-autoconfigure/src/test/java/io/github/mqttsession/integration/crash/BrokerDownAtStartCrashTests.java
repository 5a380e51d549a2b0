package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.UUID;

import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application started while its broker is unreachable publishes, is killed with
 * SIGKILL before it ever connected, and is started again once the broker can be reached:
 * every message whose send returned arrives.
 */
@ExtendWith(HiveMqExtension.class)
class BrokerDownAtStartCrashTests {

	private static final int MESSAGES = 50;

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration DELIVERY = Duration.ofSeconds(60);

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void everyMessageWhoseSendReturnedBeforeTheKillArrivesOnceTheBrokerIsReachable(String version) throws Exception {
		String clientId = "crash-down-at-start-" + version.replace('.', '-') + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, 1)) {
			List<String> properties = CrashTests.with(
					CrashTests.properties(proxy.url(), clientId, topic, 1, CrashTests.Store.H2_FILE),
					"--mqtt.client.protocol-version=" + version);
			// At Paho's default in-flight window, as a user runs it
			properties.removeIf((property) -> property.startsWith("--mqtt.client.max-inflight="));
			proxy.cut();
			NavigableSet<Integer> confirmed;
			try (PublisherProcess publisher = PublisherProcess.start(logs.resolve("publish.log"),
					CrashTests.with(properties, "--crash.mode=publish", "--crash.count=" + (MESSAGES + 1)))) {
				publisher.awaitReady(START_UP);
				publisher.allowUpTo(MESSAGES);
				CrashTests.eventually(START_UP, () -> publisher.confirmedCount() >= MESSAGES);
				assertThat(publisher.confirmedCount())
					.as(() -> "sends returned while the broker was unreachable; " + publisher.failedSends()
							+ " failed, the last: " + publisher.lastFailure() + "\n" + publisher.logTail(60))
					.isEqualTo(MESSAGES);
				assertThat(proxy.connectionCount()).as("connections that reached the broker").isZero();
				assertThat(publisher.kill()).as("exit code of the publisher JVM, 128 + SIGKILL").isEqualTo(137);
				confirmed = publisher.confirmed();
			}
			assertThat(subscriber.received()).isEmpty();
			proxy.resume();
			try (PublisherProcess resumed = PublisherProcess.start(logs.resolve("resume.log"),
					CrashTests.with(properties, "--crash.mode=resume"))) {
				resumed.awaitReady(START_UP);
				CrashTests.eventually(DELIVERY, () -> subscriber.missing(confirmed).isEmpty());
				assertThat(subscriber.missing(confirmed))
					.as(() -> "missing after the restart; the resumed publisher's log ends with:\n"
							+ resumed.logTail(60))
					.isEmpty();
				assertThat(subscriber.unexpected()).isEmpty();
				resumed.stop();
			}
		}
	}

}
