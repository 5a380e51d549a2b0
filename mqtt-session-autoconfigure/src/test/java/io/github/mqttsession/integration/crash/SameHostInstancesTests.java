package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.persistence.LeaseOwner;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two application processes on one host with one client id and the default lease
 * settings: the second neither takes the session nor makes the broker throw the first
 * off, and a process started after the first was killed takes the session back at once.
 * The applications run in child JVMs ({@link CrashingPublisher}), keep their session in
 * the PostgreSQL server of this JVM and connect through a {@link TcpProxy} that counts
 * connections.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class SameHostInstancesTests {

	private static final Duration START_UP = Duration.ofSeconds(60);

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@Test
	void aSecondProcessIsRefusedOrWaitsWhileTheFirstKeepsItsConnection() throws Exception {
		String clientId = "same-host-" + UUID.randomUUID().toString().substring(0, 8);
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), "crash/" + clientId,
						1)) {
			List<String> properties = properties(proxy, clientId);
			try (PublisherProcess first = PublisherProcess.start(logs.resolve("first.log"), properties)) {
				first.awaitReady(START_UP);
				String firstOwner = ownerPrefix(first);
				assertThat(leaseOwner(clientId)).startsWith(firstOwner);
				int connections = proxy.connectionCount();
				// Started side by side, one at the default settings, one told to wait for
				// the lease
				try (PublisherProcess refused = PublisherProcess.start(logs.resolve("refused.log"), properties);
						PublisherProcess waiting = PublisherProcess.start(logs.resolve("waiting.log"),
								CrashTests.with(properties, "--mqtt.session.lease.wait-for-takeover=true"))) {
					assertThat(refused.awaitExit(START_UP)).as("exit code of the refused JVM").isNotZero();
					assertThat(refused.logTail(400))
						.contains("Client id '" + clientId + "' is in use by instance '" + firstOwner);
					await().atMost(START_UP)
						.until(() -> waiting.logTail(400).contains("is leased by instance '" + firstOwner));
					assertThat(waiting.isReady()).isFalse();
					// Neither process connected with the client id, so the broker never
					// threw the first off
					assertThat(proxy.connectionCount()).isEqualTo(connections);
					first.command(CrashingPublisher.END);
					CrashTests.eventually(START_UP, () -> subscriber.hasReceived(CrashingPublisher.END));
					assertThat(subscriber.hasReceived(CrashingPublisher.END)).as("the first still publishes").isTrue();
					first.stop();
					// The first gave its lease up as it stopped: the waiting one takes
					// the session over
					waiting.awaitReady(START_UP);
					assertThat(leaseOwner(clientId)).startsWith(ownerPrefix(waiting));
					waiting.stop();
				}
			}
		}
	}

	@Test
	void aProcessStartedAfterTheFirstWasKilledTakesTheSessionBackAtOnce() throws Exception {
		String clientId = "same-host-restart-" + UUID.randomUUID().toString().substring(0, 8);
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			// A lease far longer than a JVM's start on a busy machine: the restarted
			// process cannot owe the session to a lease that ran out meanwhile
			List<String> properties = CrashTests.with(properties(proxy, clientId), "--mqtt.session.lease.duration=5m");
			String killedOwner;
			try (PublisherProcess first = PublisherProcess.start(logs.resolve("first.log"), properties)) {
				first.awaitReady(START_UP);
				killedOwner = leaseOwner(clientId);
				assertThat(killedOwner).startsWith(ownerPrefix(first));
				assertThat(first.kill()).as("exit code of the killed JVM, 128 + SIGKILL").isEqualTo(137);
			}
			// The killed process's lease is live for its whole duration, and the
			// restarted one does not wait for a live lease by default: it starts only
			// because it sees that the lease's owner is gone
			try (PublisherProcess restarted = PublisherProcess.start(logs.resolve("restarted.log"), properties)) {
				restarted.awaitReady(START_UP);
				assertThat(leaseOwner(clientId)).startsWith(ownerPrefix(restarted));
				assertThat(restarted.logTail(400)).contains("is leased by process '" + killedOwner
						+ "' of this host, which no longer runs; taking its session over");
				restarted.stop();
			}
		}
	}

	/**
	 * The child's properties: small test-only timeouts, and the lease settings as a user
	 * gets them.
	 */
	private static List<String> properties(TcpProxy proxy, String clientId) {
		return CrashTests.with(
				CrashTests.properties(proxy.url(), clientId, "crash/" + clientId, 1, CrashTests.Store.POSTGRESQL),
				"--crash.mode=resume");
	}

	/**
	 * How a process's default lease owner starts: this host, as this JVM names it, and
	 * the process id.
	 */
	private static String ownerPrefix(PublisherProcess process) {
		String thisProcess = LeaseOwner.ofThisProcess();
		return thisProcess.substring(0, thisProcess.lastIndexOf(':')) + ":" + process.pid() + "@";
	}

	private static String leaseOwner(String clientId) throws Exception {
		try (HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT OWNER FROM MQTT_SESSION WHERE CLIENT_ID = ?")) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				assertThat(row.next()).as("the session of " + clientId + " is stored").isTrue();
				return row.getString(1);
			}
		}
	}

}
