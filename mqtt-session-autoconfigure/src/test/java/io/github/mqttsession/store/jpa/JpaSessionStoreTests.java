package io.github.mqttsession.store.jpa;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * What the JPA store does beyond the shared contract: conflicts, limits, failures, schema
 * and restarts.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class JpaSessionStoreTests {

	private final HikariDataSource dataSource = Databases.newH2File();

	@AfterEach
	void closeDataSource() {
		this.dataSource.close();
	}

	@Test
	void saveThatWouldOverwriteAnotherWritersSaveFailsClearly() throws Exception {
		StoreTables.create(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			store.save("conflict", session("first"));
			MqttSession loaded = store.load("conflict").orElseThrow();
			CompletableFuture.runAsync(() -> {
				store.load("conflict");
				store.save("conflict", session("other writer"));
			}).get();
			assertThatExceptionOfType(SessionStoreException.class)
				.isThrownBy(() -> store.save("conflict", new MqttSession(loaded.subscriptions(), List.of(), 3)))
				.withMessageContaining("client 'conflict'")
				.withMessageContaining("another writer saved, changed or deleted it");
			assertThat(store.load("conflict")).contains(session("other writer"));
		}
	}

	@Test
	void saveOfTheLoadedSessionKeepsAMessageAnotherThreadAddedSince() throws Exception {
		StoreTables.create(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			store.save("merge", session("first"));
			MqttSession loaded = store.load("merge").orElseThrow();
			PendingMessage added = message(State.OUTBOUND_PUBLISH, 9, "added by another thread");
			CompletableFuture.runAsync(() -> store.addPendingMessage("merge", added)).get();
			PendingMessage changed = message(State.OUTBOUND_PUBLISH, 3, "changed by this thread");
			store.save("merge", new MqttSession(loaded.subscriptions(), List.of(changed), loaded.packetId()));
			assertThat(store.load("merge").orElseThrow().pendingMessages()).containsExactly(added, changed);
		}
	}

	@Test
	void saveAfterAFineGrainedChangeByAnotherThreadFailsWhenTheLoadedSessionIsNoLongerHeld() throws Exception {
		StoreTables.create(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			store.save("conflict", session("first"));
			MqttSession loaded = store.load("conflict").orElseThrow();
			MqttSession copy = new MqttSession(new ArrayList<>(loaded.subscriptions()),
					new ArrayList<>(loaded.pendingMessages()), loaded.packetId());
			WeakReference<MqttSession> probe = new WeakReference<>(loaded);
			loaded = null;
			// The loaded session is collected once nothing holds it
			await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
				System.gc();
				return probe.get() == null;
			});
			PendingMessage added = message(State.OUTBOUND_PUBLISH, 9, "added by another thread");
			CompletableFuture.runAsync(() -> store.addPendingMessage("conflict", added)).get();
			assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> store.save("conflict", copy))
				.withMessageContaining("another writer");
			assertThat(store.load("conflict").orElseThrow().pendingMessages()).contains(added);
		}
	}

	@Test
	void clientIdsAndTopicFiltersOver1024BytesAreRefusedWithTheLimit() throws Exception {
		StoreTables.create(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			String longId = "é".repeat(513);
			assertThatIllegalArgumentException().isThrownBy(() -> store.load(longId))
				.withMessageContaining("1026 UTF-8 bytes")
				.withMessageContaining("at most 1024 bytes");
			store.load("ok-" + "x".repeat(1021));
			String longFilter = "a/".repeat(600);
			assertThatIllegalArgumentException()
				.isThrownBy(() -> store.addSubscription("limits", new Subscription(longFilter + "#", 1)))
				.withMessageContaining("Topic filter")
				.withMessageContaining("at most 1024 bytes");
			assertThat(store.load("limits")).isEmpty();
		}
	}

	@Test
	void missingTablesFailAtConstructionNamingTheTableAndTheScript() {
		assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> new JpaSessionStore(this.dataSource))
			.withMessageContaining("Table MQTT_SESSION of the JPA session store does not exist")
			.withMessageContaining("classpath:io/github/mqttsession/store/jpa/schema-h2.sql")
			.withMessageContaining("mqtt.session.jpa.initialize-schema=always");
	}

	@Test
	void tablePrefixNamesTablesAndSequences() throws Exception {
		StoreTables.create(this.dataSource, "APP_MQTT_");
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource, "APP_MQTT_", Clock.systemUTC())) {
			store.save("prefixed", session("stored under a prefix"));
			store.addPendingMessage("prefixed", message(State.OFFLINE_BUFFERED, 5, "more"));
			assertThat(store.load("prefixed").orElseThrow().pendingMessages()).hasSize(3);
		}
		assertThat(rowCount("APP_MQTT_PENDING_MESSAGE")).isEqualTo(3);
		assertThat(tableExists("MQTT_SESSION")).isFalse();
		assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> new JpaSessionStore(this.dataSource))
			.withMessageContaining("MQTT_SESSION");
	}

	@Test
	void invalidTablePrefixIsRefusedWithTheRule() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new JpaSessionStore(this.dataSource, "mqtt-session", Clock.systemUTC()))
			.withMessageContaining("Table prefix 'mqtt-session' is not valid")
			.withMessageContaining("letters, digits and underscores");
	}

	@Test
	void sessionsSurviveANewStoreOnTheSameDatabase() throws Exception {
		StoreTables.create(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			store.save("restart", session("before restart"));
			store.addSubscription("restart", new Subscription("added/at/runtime", 2));
			store.setPacketId("restart", 4711);
		}
		try (JpaSessionStore store = new JpaSessionStore(this.dataSource)) {
			MqttSession restored = store.load("restart").orElseThrow();
			assertThat(restored.packetId()).isEqualTo(4711);
			assertThat(restored.subscriptions()).contains(new Subscription("added/at/runtime", 2));
			assertThat(restored.pendingMessages()).isEqualTo(session("before restart").pendingMessages());
		}
	}

	@Test
	void databaseDownIsAStoreExceptionNamingTheClientAndStoredDataStays() throws Exception {
		StoreTables.create(this.dataSource);
		CountingDataSource database = new CountingDataSource(this.dataSource);
		this.dataSource.setMaximumPoolSize(1);
		try (JpaSessionStore store = new JpaSessionStore(database.dataSource())) {
			store.save("outage", session("kept"));
			this.dataSource.getHikariPoolMXBean().softEvictConnections();
			database.setDown(true);
			this.dataSource.setConnectionTimeout(250);
			assertThatExceptionOfType(SessionStoreException.class)
				.isThrownBy(() -> store.addPendingMessage("outage", message(State.OUTBOUND_PUBLISH, 50, "lost?")))
				.withMessageContaining("client 'outage'");
			assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> store.load("outage"))
				.withMessageContaining("Could not load the session for client 'outage'");
			database.setDown(false);
			assertThat(store.load("outage")).contains(session("kept"));
		}
	}

	@Test
	void aStatementFailingHalfwayThroughASaveLeavesTheStoredSessionIntact() throws Exception {
		StoreTables.create(this.dataSource);
		CountingDataSource database = new CountingDataSource(this.dataSource);
		try (JpaSessionStore store = new JpaSessionStore(database.dataSource())) {
			store.save("halfway", session("kept"));
			MqttSession loaded = store.load("halfway").orElseThrow();
			MqttSession changed = new MqttSession(List.of(new Subscription("new/#", 0)),
					List.of(loaded.pendingMessages().get(1), message(State.OUTBOUND_PUBLISH, 60, "new")), 60);
			database.failNext((sql) -> sql.contains("INTO MQTT_PENDING_MESSAGE"));
			assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> store.save("halfway", changed))
				.withMessageContaining("Could not save the session for client 'halfway'")
				.withMessageContaining("Simulated failure");
			assertThat(store.load("halfway")).contains(session("kept"));
		}
	}

	@Test
	void payloadsAreByteaOnPostgresAndQueryableByTopic() throws Exception {
		try (HikariDataSource postgres = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl())) {
			StoreTables.create(postgres);
			try (JpaSessionStore store = new JpaSessionStore(postgres)) {
				store.addPendingMessage("queryable", message(State.OUTBOUND_PUBLISH, 1, "readable"));
			}
			try (Connection connection = postgres.getConnection();
					ResultSet columns = connection.createStatement()
						.executeQuery("SELECT data_type FROM information_schema.columns"
								+ " WHERE table_name = 'mqtt_pending_message' AND column_name = 'payload'");
					ResultSet row = connection.createStatement()
						.executeQuery("SELECT topic, qos, convert_from(payload, 'UTF8') FROM mqtt_pending_message"
								+ " WHERE client_id = 'queryable'")) {
				assertThat(columns.next()).isTrue();
				assertThat(columns.getString(1)).isEqualTo("bytea");
				assertThat(row.next()).isTrue();
				assertThat(row.getString(1)).isEqualTo("sensors/1");
				assertThat(row.getInt(2)).isEqualTo(1);
				assertThat(row.getString(3)).isEqualTo("readable");
			}
		}
	}

	@Test
	void h2CommitsAreMadeDurableWhenTheUrlLeavesTheWriteDelayOn() throws Exception {
		String url = "jdbc:h2:file:"
				+ java.nio.file.Path.of("target", "h2", "delay-" + java.util.UUID.randomUUID()).toAbsolutePath();
		try (HikariDataSource delayed = Databases.pooled(url, "sa", "")) {
			StoreTables.create(delayed);
			assertThat(writeDelay(delayed)).isEqualTo("500");
			try (JpaSessionStore store = new JpaSessionStore(delayed)) {
				assertThat(writeDelay(delayed)).isEqualTo("0");
			}
		}
	}

	@Test
	void postgresCommitsAreMadeSynchronousWhenTheDatabaseTurnedThemOff() throws Exception {
		String database = "async_" + Long.toHexString(System.nanoTime());
		try (HikariDataSource postgres = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
				Connection admin = postgres.getConnection()) {
			admin.createStatement().execute("CREATE DATABASE " + database);
			admin.createStatement().execute("ALTER DATABASE " + database + " SET synchronous_commit = off");
		}
		String url = EmbeddedPostgresExtension.jdbcUrl().replace("/postgres?", "/" + database + "?");
		try (HikariDataSource asynchronous = Databases.pooled(url, "postgres", "postgres")) {
			StoreTables.create(asynchronous);
			try (Connection connection = asynchronous.getConnection();
					ResultSet setting = connection.createStatement().executeQuery("SHOW synchronous_commit")) {
				setting.next();
				assertThat(setting.getString(1)).as("synchronous_commit of " + url).isEqualTo("off");
			}
			CountingDataSource counting = new CountingDataSource(asynchronous);
			try (JpaSessionStore store = new JpaSessionStore(counting.dataSource())) {
				counting.reset();
				store.addPendingMessage("durable", message(State.OUTBOUND_PUBLISH, 1, "flushed"));
				assertThat(counting.statements()).first().isEqualTo("SET LOCAL SYNCHRONOUS_COMMIT TO ON");
				assertThat(store.load("durable")).isPresent();
			}
		}
	}

	private static String writeDelay(HikariDataSource dataSource) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				ResultSet setting = connection.createStatement()
					.executeQuery(
							"SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
			setting.next();
			return setting.getString(1);
		}
	}

	private long rowCount(String table) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private boolean tableExists(String table) throws SQLException {
		try (Connection connection = this.dataSource.getConnection();
				ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
			return tables.next();
		}
	}

	private static MqttSession session(String text) {
		return new MqttSession(List.of(new Subscription("sensors/#", 1)),
				List.of(message(State.OUTBOUND_PUBLISH, 1, text), PendingMessage.pubrel(2)), 2);
	}

	private static PendingMessage message(State state, int packetId, String text) {
		return new PendingMessage(state, packetId, "sensors/" + packetId, text.getBytes(StandardCharsets.UTF_8), 1,
				false);
	}

}
