package io.github.mqttsession.benchmarks.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.benchmarks.support.StoreSchema;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;

/** Builds the stores and baselines of the store benchmark, and the sessions they hold. */
public final class Fixtures {

	/**
	 * The system property that hands the PostgreSQL server's JDBC URL to forked JMH JVMs.
	 */
	static final String POSTGRES_URL_PROPERTY = "mqtt.bench.postgres.url";

	static final String CLIENT_ID = "bench-store-client";

	static final int PAYLOAD_BYTES = 256;

	/** The stores under measure, each followed by its baseline. */
	static final List<String> KINDS = List.of("memory", "map", "jpa-h2", "jdbc-h2", "jpa-postgres", "jdbc-postgres");

	private Fixtures() {
	}

	/**
	 * The baseline a kind is compared with.
	 * @param kind a store kind
	 * @return its baseline, or {@code null} for a baseline itself
	 */
	static String baselineOf(String kind) {
		return switch (kind) {
			case "memory" -> "map";
			case "jpa-h2" -> "jdbc-h2";
			case "jpa-postgres" -> "jdbc-postgres";
			default -> null;
		};
	}

	/**
	 * Creates a store or baseline on a new, empty database.
	 * @param kind one of {@link #KINDS}
	 * @param work where H2 files go
	 * @param counting whether the database is seen through a {@link CountingDataSource}
	 * @return the operations, and the counter when asked for
	 */
	static Created create(String kind, Path work, boolean counting) {
		return switch (kind) {
			case "memory" -> new Created(new StoreOperations(new InMemorySessionStore(), CLIENT_ID, () -> {
			}), null);
			case "map" -> new Created(new MapOperations(CLIENT_ID), null);
			case "jpa-h2", "jdbc-h2" -> onDatabase(kind, Databases.newH2File(work), false, counting);
			case "jpa-postgres", "jdbc-postgres" -> onDatabase(kind, Databases.postgres(postgresUrl()), true, counting);
			default -> throw new IllegalArgumentException("Unknown store kind " + kind + "; one of " + KINDS);
		};
	}

	private static String postgresUrl() {
		String url = System.getProperty(POSTGRES_URL_PROPERTY);
		if (url == null) {
			throw new IllegalStateException(
					"No PostgreSQL server: the harness passes its URL in -D" + POSTGRES_URL_PROPERTY);
		}
		return url;
	}

	private static Created onDatabase(String kind, HikariDataSource pool, boolean postgres, boolean counting) {
		StoreSchema.createIn(pool);
		Databases.truncateTables(pool);
		CountingDataSource counter = counting ? CountingDataSource.countingOnly(pool) : null;
		DataSource dataSource = counting ? counter.dataSource() : pool;
		if (kind.startsWith("jpa")) {
			JpaSessionStore store = new JpaSessionStore(dataSource);
			return new Created(new StoreOperations(store, CLIENT_ID, () -> {
				store.close();
				pool.close();
			}), counter);
		}
		return new Created(new JdbcOperations(dataSource, postgres, CLIENT_ID, pool::close), counter);
	}

	/**
	 * A session of one subscription and some outbound QoS 1 messages with packet ids
	 * 1..n.
	 * @param pending how many messages
	 * @return the session
	 */
	static MqttSession session(int pending) {
		List<PendingMessage> messages = new ArrayList<>(pending);
		for (int id = 1; id <= pending; id++) {
			messages.add(message(id));
		}
		return new MqttSession(List.of(new Subscription("sensors/#", 1)), messages, pending);
	}

	/**
	 * The same session with one more message.
	 * @param session the session
	 * @param message the message to add
	 * @return the larger session
	 */
	static MqttSession plus(MqttSession session, PendingMessage message) {
		List<PendingMessage> messages = new ArrayList<>(session.pendingMessages());
		messages.add(message);
		return new MqttSession(session.subscriptions(), messages, message.packetId());
	}

	/**
	 * An outbound QoS 1 message with a 256-byte payload.
	 * @param packetId the packet id
	 * @return the message
	 */
	public static PendingMessage message(int packetId) {
		byte[] payload = new byte[PAYLOAD_BYTES];
		new Random(packetId).nextBytes(payload);
		return new PendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, packetId, "sensors/room-" + (packetId % 50),
				payload, 1, false);
	}

	/**
	 * Reads a session's pending messages, in order, with plain JDBC.
	 * @param connection the connection
	 * @param clientId the client id
	 * @return the messages
	 * @throws SQLException when the query fails
	 */
	public static List<PendingMessage> readMessages(Connection connection, String clientId) throws SQLException {
		return JdbcOperations.readMessages(connection, clientId);
	}

	/**
	 * Operations and, when asked for, their counter.
	 *
	 * @param operations the operations
	 * @param counter the counting DataSource, or {@code null}
	 */
	record Created(SessionOperations operations, CountingDataSource counter) {
	}

}
