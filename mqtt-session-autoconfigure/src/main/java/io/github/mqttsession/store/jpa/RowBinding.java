package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;
import org.jspecify.annotations.Nullable;

/**
 * How the store's values go into the parameters of {@link SessionStoreStatements}, and
 * how statements run: one at a time, or many rows as JDBC batches so that a hundred rows
 * cost one round trip, not a hundred.
 */
final class RowBinding {

	/** Rows per JDBC batch at most. */
	private static final int BATCH = 500;

	private RowBinding() {
	}

	/**
	 * Runs a statement that changes rows.
	 * @param connection the connection, in a transaction
	 * @param sql the statement
	 * @param binder binds its parameters
	 * @return the number of rows changed
	 * @throws SQLException when the database fails
	 */
	static int update(Connection connection, String sql, Binder binder) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			binder.bind(statement);
			return statement.executeUpdate();
		}
	}

	/**
	 * Runs a statement once per value, in batches of at most {@value #BATCH} rows;
	 * nothing for no values.
	 * @param <V> the value type
	 * @param connection the connection, in a transaction
	 * @param sql the statement
	 * @param values the values
	 * @param binder binds a value to the statement's parameters
	 * @throws SQLException when the database fails
	 */
	static <V> void batch(Connection connection, String sql, List<V> values, ValueBinder<V> binder)
			throws SQLException {
		if (values.isEmpty()) {
			return;
		}
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			int batched = 0;
			for (V value : values) {
				binder.bind(statement, value);
				statement.addBatch();
				if (++batched % BATCH == 0) {
					statement.executeBatch();
				}
			}
			if (batched % BATCH != 0) {
				statement.executeBatch();
			}
		}
	}

	/**
	 * Inserts a session row unless there is one.
	 * @param connection the connection, in a transaction
	 * @param statements the store's statements
	 * @param clientId the client id
	 * @param now the creation time
	 * @throws SQLException when the database fails
	 */
	static void insertSessionIfAbsent(Connection connection, SessionStoreStatements statements, String clientId,
			Instant now) throws SQLException {
		try {
			update(connection, statements.insertSessionIfAbsent, (statement) -> {
				statement.setString(1, clientId);
				statement.setObject(2, timestamp(now));
				statement.setObject(3, timestamp(now));
			});
		}
		catch (SQLException ex) {
			// H2's MERGE is not atomic: a concurrent writer may have inserted the row
			// first, which is what we want. The failed statement does not abort the
			// transaction there; PostgreSQL never gets here (ON CONFLICT).
			if (!"23505".equals(ex.getSQLState())) {
				throw ex;
			}
		}
	}

	/**
	 * Binds a subscription to the subscription upsert.
	 * @param statement the statement
	 * @param clientId the client id
	 * @param subscription the subscription
	 * @param now the creation time
	 * @throws SQLException when binding fails
	 */
	static void bindSubscription(PreparedStatement statement, String clientId, Subscription subscription, Instant now)
			throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, subscription.topicFilter());
		statement.setInt(3, subscription.qos());
		statement.setBoolean(4, subscription.configured());
		statement.setObject(5, timestamp(now));
	}

	/**
	 * Binds a subscription's key to the subscription delete.
	 * @param statement the statement
	 * @param clientId the client id
	 * @param topicFilter the subscription's topic filter
	 * @throws SQLException when binding fails
	 */
	static void bindSubscriptionKey(PreparedStatement statement, String clientId, String topicFilter)
			throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, topicFilter);
	}

	/**
	 * Binds a message to the message upsert.
	 * @param statement the statement
	 * @param clientId the client id
	 * @param message the message
	 * @param now the creation time
	 * @throws SQLException when binding fails
	 */
	static void bindMessage(PreparedStatement statement, String clientId, PendingMessage message, Instant now)
			throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, message.state().name());
		statement.setInt(3, message.packetId());
		statement.setString(4, message.topic());
		statement.setInt(5, message.qos());
		statement.setBoolean(6, message.retained());
		statement.setBoolean(7, message.duplicate());
		statement.setBytes(8, message.properties());
		statement.setBytes(9, message.payload());
		statement.setObject(10, timestamp(now));
		if (message.expiresAt() != null) {
			statement.setObject(11, timestamp(message.expiresAt()));
		}
		else {
			statement.setNull(11, Types.TIMESTAMP_WITH_TIMEZONE);
		}
	}

	/**
	 * Binds a message's key to the message delete.
	 * @param statement the statement
	 * @param clientId the client id
	 * @param state the message's state
	 * @param packetId the message's packet id
	 * @throws SQLException when binding fails
	 */
	static void bindMessageKey(PreparedStatement statement, String clientId, PendingMessage.State state, int packetId)
			throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, state.name());
		statement.setInt(3, packetId);
	}

	/**
	 * An instant as the store's {@code TIMESTAMP WITH TIME ZONE} columns take it.
	 * @param instant the instant
	 * @return the instant at UTC
	 */
	static OffsetDateTime timestamp(Instant instant) {
		// Instant.atOffset makes a new set of zone rules on every call; UTC needs none
		return OffsetDateTime.of(
				LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC),
				ZoneOffset.UTC);
	}

	/**
	 * An instant read from a {@code TIMESTAMP WITH TIME ZONE} column.
	 * @param timestamp the column's value
	 * @return the instant; absent for SQL {@code NULL}
	 */
	static @Nullable Instant instant(@Nullable OffsetDateTime timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/** Binds a statement's parameters. */
	@FunctionalInterface
	interface Binder {

		void bind(PreparedStatement statement) throws SQLException;

	}

	/**
	 * Binds a value to a statement's parameters.
	 *
	 * @param <V> the value type
	 */
	@FunctionalInterface
	interface ValueBinder<V> {

		void bind(PreparedStatement statement, V value) throws SQLException;

	}

}
