package io.github.mqttsession.integration.crash;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.StoreTables;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application process is frozen with SIGSTOP while it publishes QoS 2 messages, past
 * its lease; a second process with the same client id takes the session over; the first
 * is thawed with SIGCONT. From the takeover on, the first writes nothing to the session:
 * a trigger records the {@code application_name} of every change to the session's rows,
 * and none comes from the first after the second's first. It stops publishing and does
 * not reconnect, and the second delivers every message whose send had returned in the
 * first, exactly once.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class PausedInstanceTests {

	private static final Duration LEASE = Duration.ofSeconds(4);

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration DRAIN = Duration.ofSeconds(90);

	private static final int MESSAGES = 3_000;

	@BeforeAll
	static void recordWrites() throws SQLException {
		ChildClassPath.get();
		try (HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement()) {
			StoreTables.create(dataSource);
			statement.execute("CREATE TABLE IF NOT EXISTS PAUSED_WRITE (ID BIGSERIAL PRIMARY KEY,"
					+ " CLIENT_ID VARCHAR(1024), WRITER TEXT, TABLE_NAME TEXT, OPERATION TEXT)");
			statement.execute("CREATE OR REPLACE FUNCTION PAUSED_WRITE_RECORD() RETURNS TRIGGER AS $$ BEGIN"
					+ " INSERT INTO PAUSED_WRITE (CLIENT_ID, WRITER, TABLE_NAME, OPERATION) VALUES"
					+ " (CASE WHEN TG_OP = 'DELETE' THEN OLD.CLIENT_ID ELSE NEW.CLIENT_ID END,"
					+ " current_setting('application_name'), TG_TABLE_NAME, TG_OP); RETURN NULL; END $$"
					+ " LANGUAGE plpgsql");
			for (String table : List.of("MQTT_SESSION", "MQTT_PENDING_MESSAGE", "MQTT_SUBSCRIPTION")) {
				statement.execute("DROP TRIGGER IF EXISTS PAUSED_WRITE_TRIGGER ON " + table);
				statement.execute("CREATE TRIGGER PAUSED_WRITE_TRIGGER AFTER INSERT OR UPDATE OR DELETE ON " + table
						+ " FOR EACH ROW EXECUTE FUNCTION PAUSED_WRITE_RECORD()");
			}
		}
	}

	@AfterAll
	static void stopRecording() throws SQLException {
		try (HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement()) {
			for (String table : List.of("MQTT_SESSION", "MQTT_PENDING_MESSAGE", "MQTT_SUBSCRIPTION")) {
				statement.execute("DROP TRIGGER IF EXISTS PAUSED_WRITE_TRIGGER ON " + table);
			}
		}
	}

	@Test
	void aProcessFrozenPastItsLeaseWritesNothingOnceAnotherTookItsSessionOver() throws Exception {
		String clientId = "paused-" + UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				RecordingSubscriber subscriber = new RecordingSubscriber(HiveMqExtension.url(), topic, 2)) {
			List<String> properties = CrashTests.with(
					CrashTests.properties(proxy.url(), clientId, topic, 2, CrashTests.Store.POSTGRESQL),
					"--mqtt.session.lease.duration=" + LEASE.toSeconds() + "s");
			NavigableSet<Integer> confirmed;
			try (PublisherProcess first = PublisherProcess.start(logs.resolve("first.log"),
					CrashTests.with(properties, "--crash.mode=publish", "--crash.count=" + MESSAGES,
							"--spring.datasource.hikari.data-source-properties.ApplicationName=first"))) {
				first.awaitReady(START_UP);
				first.allowUpTo(MESSAGES);
				await().atMost(START_UP).until(() -> first.confirmedCount() >= 300);
				signal(first, "STOP");
				try (PublisherProcess second = PublisherProcess.start(logs.resolve("second.log"),
						CrashTests.with(properties, "--crash.mode=resume",
								"--mqtt.session.lease.wait-for-takeover=true",
								"--spring.datasource.hikari.data-source-properties.ApplicationName=second"))) {
					second.awaitReady(START_UP);
					long takeover = firstWrite(clientId, "second");
					assertThat(takeover).as("the second process's first write").isPositive();
					int connections = proxy.connectionCount();
					signal(first, "CONT");
					await().atMost(START_UP).until(() -> first.log().contains("no longer holds the lease"));
					// Thawed, the first finds its lease lost and stops; given time to try
					// whatever it was doing when frozen, it neither reconnects nor makes
					// the broker throw the second off
					await().pollDelay(LEASE).atMost(LEASE.plusSeconds(1)).until(() -> true);
					assertThat(proxy.connectionCount()).as("connections after the thaw").isEqualTo(connections);
					first.kill();
					confirmed = first.confirmed();
					assertThat(writesAfter(clientId, "first", takeover))
						.as("writes of the first process after the takeover")
						.isEmpty();
					await().atMost(DRAIN).until(() -> subscriber.receivedNumbers().containsAll(confirmed));
					second.command(CrashingPublisher.END);
					await().atMost(DRAIN).until(() -> subscriber.hasReceived(CrashingPublisher.END));
					second.stop();
				}
			}
			assertThat(confirmed).hasSizeGreaterThanOrEqualTo(300);
			assertThat(subscriber.receivedNumbers()).containsAll(confirmed);
			assertThat(subscriber.duplicates()).isEmpty();
			assertThat(subscriber.unexpected()).isEmpty();
		}
	}

	private static void signal(PublisherProcess process, String signal) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
		assertThat(kill.waitFor()).as("exit code of kill -" + signal).isZero();
	}

	private static long firstWrite(String clientId, String writer) throws SQLException {
		try (HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection
					.prepareStatement("SELECT MIN(ID) FROM PAUSED_WRITE WHERE CLIENT_ID = ? AND WRITER = ?")) {
			statement.setString(1, clientId);
			statement.setString(2, writer);
			try (ResultSet row = statement.executeQuery()) {
				row.next();
				return row.getLong(1);
			}
		}
	}

	private static List<String> writesAfter(String clientId, String writer, long id) throws SQLException {
		try (HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT ID, TABLE_NAME, OPERATION"
						+ " FROM PAUSED_WRITE WHERE CLIENT_ID = ? AND WRITER = ? AND ID > ? ORDER BY ID")) {
			statement.setString(1, clientId);
			statement.setString(2, writer);
			statement.setLong(3, id);
			List<String> writes = new ArrayList<>();
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					writes.add(rows.getLong(1) + " " + rows.getString(2) + " " + rows.getString(3));
				}
			}
			return writes;
		}
	}

}
