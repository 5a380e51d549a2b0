package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;

/**
 * Reads a session over plain JDBC, beneath the entities: three queries in one transaction, rows straight into the
 * store's records. A session of 60,000 messages is read at close to the speed of the database, where mapping every
 * row to a managed entity first would cost several times as much.
 */
final class SessionRows {

	private final DataSource dataSource;

	private final String selectSession;

	private final String selectSubscriptions;

	private final String selectMessages;

	SessionRows(DataSource dataSource, String tablePrefix) {
		this.dataSource = dataSource;
		this.selectSession = "SELECT PACKET_ID, VERSION FROM " + tablePrefix + "SESSION WHERE CLIENT_ID = ?";
		this.selectSubscriptions = "SELECT TOPIC_FILTER, QOS FROM " + tablePrefix
				+ "SUBSCRIPTION WHERE CLIENT_ID = ? ORDER BY ID";
		this.selectMessages = "SELECT STATE, PACKET_ID, TOPIC, QOS, RETAINED, DUPLICATE, PROPERTIES, PAYLOAD, EXPIRES_AT FROM "
				+ tablePrefix + "PENDING_MESSAGE WHERE CLIENT_ID = ? ORDER BY ID";
	}

	/**
	 * Reads the session stored for a client id in a transaction of its own.
	 * @param clientId the client id
	 * @return the session and its version, or empty when none is stored
	 * @throws SQLException when the database fails
	 */
	Optional<Stored> read(String clientId) throws SQLException {
		return JdbcTransaction.run(this.dataSource, (connection) -> read(connection, clientId));
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
		try (PreparedStatement statement = connection.prepareStatement(this.selectSession)) {
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
		try (PreparedStatement statement = connection.prepareStatement(this.selectSubscriptions)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					subscriptions.add(new Subscription(row.getString(1), row.getInt(2)));
				}
			}
		}
		List<PendingMessage> messages = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement(this.selectMessages)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					messages.add(new PendingMessage(PendingMessage.State.valueOf(row.getString(1)), row.getInt(2),
							row.getString(3), row.getBytes(8), row.getInt(4), row.getBoolean(5), row.getBoolean(6),
							row.getBytes(7), instant(row.getObject(9, OffsetDateTime.class))));
				}
			}
		}
		return Optional.of(new Stored(new MqttSession(subscriptions, messages, packetId), version));
	}

	private static Instant instant(OffsetDateTime timestamp) {
		return (timestamp != null) ? timestamp.toInstant() : null;
	}

	/**
	 * A stored session with the version of its row.
	 * @param session the session
	 * @param version the version
	 */
	record Stored(MqttSession session, long version) {
	}

}
