package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.NavigableSet;
import java.util.UUID;

import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static io.github.mqttsession.integration.crash.CrashTests.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a publishing application with SIGKILL while its database is unreachable, and
 * checks that every message whose send returned arrives once the database is back and the
 * application started again.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher}) and publishes QoS 1
 * messages one after another through a {@link TcpProxy} to the HiveMQ broker of this JVM,
 * keeping its session in the PostgreSQL server of this JVM behind a second proxy. The
 * first proxy holds back the broker's PUBACKs from message 101 on, so the sends of 101 to
 * 105 return only once their messages are durable; then the second proxy cuts the
 * database off. A send now can neither make its message durable nor have it acknowledged:
 * it must fail rather than return. The application is killed during the outage and
 * started again once the database is back; the subscriber, connected straight to the
 * broker, must then have received every number whose send returned.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class StoreOutageCrashTests {

	private static final int BEFORE_OUTAGE = 100;

	private static final int DURABLE_UNACKNOWLEDGED = 105;

	private static final int FAILED_SENDS = 2;

	/** Test-only: a send during the outage fails after this long. */
	private static final String SEND_TIMEOUT = "3s";

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration FAILING = Duration.ofSeconds(60);

	private static final Duration DRAIN = Duration.ofSeconds(60);

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@Test
	void everyMessageWhoseSendReturnedArrivesAfterAKillWhileTheDatabaseWasDown() throws Exception {
		String clientId = "crash-store-outage-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy broker = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				TcpProxy database = TcpProxy.forAnyProtocol("127.0.0.1", EmbeddedPostgresExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, 1)) {
			List<String> properties = CrashTests.replacing(
					CrashTests.properties(broker.url(), clientId, topic, 1, CrashTests.Store.POSTGRESQL),
					"--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres",
					"--mqtt.outbound.send-timeout=" + SEND_TIMEOUT);
			NavigableSet<Integer> confirmed;
			try (PublisherProcess publisher = PublisherProcess.start(logs.resolve("publish.log"),
					CrashTests.with(properties, "--crash.mode=publish", "--crash.count=1000"))) {
				publisher.awaitReady(START_UP);
				publisher.allowUpTo(BEFORE_OUTAGE);
				CrashTests.awaitConfirmed(publisher, BEFORE_OUTAGE);
				// Durable, not acknowledged
				broker.holdBrokerToClientPacketsOfType(TcpProxy.PUBACK);
				publisher.allowUpTo(DURABLE_UNACKNOWLEDGED);
				CrashTests.awaitConfirmed(publisher, DURABLE_UNACKNOWLEDGED);
				database.cut();
				int failedBefore = publisher.failedSends();
				publisher.allowUpTo(DURABLE_UNACKNOWLEDGED + 10);
				eventually(FAILING, () -> publisher.failedSends() >= failedBefore + FAILED_SENDS);
				assertThat(publisher.failedSends()).as(() -> "failed sends\n" + publisher.logTail(60))
					.isGreaterThanOrEqualTo(failedBefore + FAILED_SENDS);
				assertThat(publisher.kill()).as("exit code of the publisher JVM, 128 + SIGKILL").isEqualTo(137);
				confirmed = publisher.confirmed();
				// No send returned while its message could be neither durable nor
				// acknowledged
				assertThat(confirmed.last())
					.as(() -> "the last send that returned; the last failure: " + publisher.lastFailure() + "\n"
							+ publisher.logTail(60))
					.isEqualTo(DURABLE_UNACKNOWLEDGED);
				assertThat(confirmed).hasSize(DURABLE_UNACKNOWLEDGED);
			}
			broker.discardHeldPackets();
			database.resume();
			try (PublisherProcess resumed = PublisherProcess.start(logs.resolve("resume.log"),
					CrashTests.with(properties, "--crash.mode=resume"))) {
				resumed.awaitReady(START_UP);
				eventually(DRAIN, () -> subscriber.missing(confirmed).isEmpty());
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
