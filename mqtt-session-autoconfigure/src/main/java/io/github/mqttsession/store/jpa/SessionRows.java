package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;

/**
 * Loads a session over plain JDBC, beneath the entities: three queries in one
 * transaction, rows straight into the store's records. A session of 60,000 messages is
 * read at close to the speed of the database, where mapping every row to a managed entity
 * first would cost several times as much.
 */
final class SessionRows {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	SessionRows(JdbcTransactions transactions, SessionStoreStatements statements) {
		this.transactions = transactions;
		this.statements = statements;
	}

	/**
	 * Reads the session stored for a client id in a transaction of its own.
	 * @param clientId the client id
	 * @return the session and its version, or empty when none is stored
	 * @throws SessionStoreException when the database fails
	 */
	Optional<Stored> read(String clientId) {
		return this.transactions.read(clientId, () -> "load the session", (connection) -> read(connection, clientId));
	}

	/**
	 * Reads the session stored for a client id.
	 * @param connection the connection, in a transaction
	 * @param clientId the client id
	 * @return the session and its version, or empty when none is stored
	 * @throws SQLException when the database fails
	 */
	Optional<Stored> read(Connection connection, String clientId) throws SQLException {
		int packetId;
		long version;
		try (PreparedStatement statement = connection.prepareStatement(this.statements.selectSession)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				if (!row.next()) {
					return Optional.empty();
				}
				packetId = row.getInt(1);
				version = row.getLong(2);
			}
		}
		List<Subscription> subscriptions = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement(this.statements.selectSubscriptions)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					subscriptions.add(new Subscription(row.getString(1), row.getInt(2), row.getBoolean(3)));
				}
			}
		}
		List<PendingMessage> messages = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement(this.statements.selectMessages)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					messages.add(new PendingMessage(PendingMessage.State.valueOf(row.getString(1)), row.getInt(2),
							row.getString(3), row.getBytes(8), row.getInt(4), row.getBoolean(5), row.getBoolean(6),
							row.getBytes(7), RowBinding.instant(row.getObject(9, OffsetDateTime.class))));
				}
			}
		}
		return Optional.of(new Stored(new MqttSession(subscriptions, messages, packetId), version));
	}

	/**
	 * A stored session with the version of its row.
	 *
	 * @param session the session
	 * @param version the version
	 */
	record Stored(MqttSession session, long version) {
	}

}
