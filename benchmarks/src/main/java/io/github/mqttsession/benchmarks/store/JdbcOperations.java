package io.github.mqttsession.benchmarks.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;

/**
 * The JPA store's baseline: raw JDBC of the statements the store means to run, on the
 * same tables and the same connection pool. Adding a message is the store's own upsert,
 * removing it one DELETE, adding a subscription the store's own upsert, each in
 * auto-commit (one transaction, as the store's). A load is the same three queries. A
 * whole-session save writes the difference from the session this object last saved or
 * loaded (the store keeps the same knowledge per thread): one UPDATE of the session row
 * plus an INSERT or DELETE per changed row, in one transaction.
 */
final class JdbcOperations implements SessionOperations {

	private static final String MESSAGE_COLUMNS = "CLIENT_ID, STATE, PACKET_ID, TOPIC, QOS, RETAINED, DUPLICATE, PROPERTIES, PAYLOAD, CREATED_AT";

	private final DataSource dataSource;

	private final String clientId;

	private final Runnable close;

	private final String insertSessionIfAbsent;

	private final String upsertSubscription;

	private final String insertSubscription;

	private final String upsertPendingMessage;

	private final String insertPendingMessage;

	private MqttSession known;

	JdbcOperations(DataSource dataSource, boolean postgres, String clientId, Runnable close) {
		this.dataSource = dataSource;
		this.clientId = clientId;
		this.close = close;
		// Copied from the store's SessionStoreStatements (package-private there), default
		// table prefix
		if (postgres) {
			this.insertSessionIfAbsent = "INSERT INTO MQTT_SESSION (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT)"
					+ " VALUES (?, 0, 0, ?, ?) ON CONFLICT (CLIENT_ID) DO NOTHING";
			this.upsertSubscription = "INSERT INTO MQTT_SUBSCRIPTION (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
					+ " VALUES (nextval('MQTT_SUBSCRIPTION_SEQ'), ?, ?, ?, ?) ON CONFLICT (CLIENT_ID, TOPIC_FILTER)"
					+ " DO UPDATE SET QOS = EXCLUDED.QOS, CREATED_AT = EXCLUDED.CREATED_AT";
			this.insertSubscription = "INSERT INTO MQTT_SUBSCRIPTION (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
					+ " VALUES (nextval('MQTT_SUBSCRIPTION_SEQ'), ?, ?, ?, ?)";
			this.upsertPendingMessage = "INSERT INTO MQTT_PENDING_MESSAGE (ID, " + MESSAGE_COLUMNS
					+ ") VALUES (nextval('MQTT_PENDING_MESSAGE_SEQ'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
					+ " ON CONFLICT (CLIENT_ID, STATE, PACKET_ID) DO UPDATE SET"
					+ " TOPIC = EXCLUDED.TOPIC, QOS = EXCLUDED.QOS, RETAINED = EXCLUDED.RETAINED,"
					+ " DUPLICATE = EXCLUDED.DUPLICATE, PROPERTIES = EXCLUDED.PROPERTIES,"
					+ " PAYLOAD = EXCLUDED.PAYLOAD, CREATED_AT = EXCLUDED.CREATED_AT";
			this.insertPendingMessage = "INSERT INTO MQTT_PENDING_MESSAGE (ID, " + MESSAGE_COLUMNS
					+ ") VALUES (nextval('MQTT_PENDING_MESSAGE_SEQ'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
		}
		else {
			this.insertSessionIfAbsent = "MERGE INTO MQTT_SESSION T USING (VALUES (CAST(? AS VARCHAR(1024)))) S(CLIENT_ID)"
					+ " ON T.CLIENT_ID = S.CLIENT_ID WHEN NOT MATCHED THEN"
					+ " INSERT (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT) VALUES (S.CLIENT_ID, 0, 0, ?, ?)";
			this.upsertSubscription = "MERGE INTO MQTT_SUBSCRIPTION T USING (VALUES (CAST(? AS VARCHAR(1024)),"
					+ " CAST(? AS VARCHAR(1024)), CAST(? AS INTEGER), CAST(? AS TIMESTAMP(6) WITH TIME ZONE)))"
					+ " S(CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
					+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.TOPIC_FILTER = S.TOPIC_FILTER"
					+ " WHEN MATCHED THEN UPDATE SET QOS = S.QOS, CREATED_AT = S.CREATED_AT"
					+ " WHEN NOT MATCHED THEN INSERT (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
					+ " VALUES (NEXT VALUE FOR MQTT_SUBSCRIPTION_SEQ, S.CLIENT_ID, S.TOPIC_FILTER, S.QOS, S.CREATED_AT)";
			this.insertSubscription = "INSERT INTO MQTT_SUBSCRIPTION (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
					+ " VALUES (NEXT VALUE FOR MQTT_SUBSCRIPTION_SEQ, ?, ?, ?, ?)";
			this.upsertPendingMessage = "MERGE INTO MQTT_PENDING_MESSAGE T USING (VALUES (CAST(? AS VARCHAR(1024)),"
					+ " CAST(? AS VARCHAR(20)), CAST(? AS INTEGER), CAST(? AS VARCHAR(65535)), CAST(? AS INTEGER),"
					+ " CAST(? AS BOOLEAN), CAST(? AS BOOLEAN), CAST(? AS VARBINARY), CAST(? AS VARBINARY),"
					+ " CAST(? AS TIMESTAMP(6) WITH TIME ZONE))) S(" + MESSAGE_COLUMNS + ")"
					+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.STATE = S.STATE AND T.PACKET_ID = S.PACKET_ID"
					+ " WHEN MATCHED THEN UPDATE SET TOPIC = S.TOPIC, QOS = S.QOS, RETAINED = S.RETAINED,"
					+ " DUPLICATE = S.DUPLICATE, PROPERTIES = S.PROPERTIES, PAYLOAD = S.PAYLOAD, CREATED_AT = S.CREATED_AT"
					+ " WHEN NOT MATCHED THEN INSERT (ID, " + MESSAGE_COLUMNS
					+ ") VALUES (NEXT VALUE FOR MQTT_PENDING_MESSAGE_SEQ, S.CLIENT_ID, S.STATE, S.PACKET_ID, S.TOPIC,"
					+ " S.QOS, S.RETAINED, S.DUPLICATE, S.PROPERTIES, S.PAYLOAD, S.CREATED_AT)";
			this.insertPendingMessage = "INSERT INTO MQTT_PENDING_MESSAGE (ID, " + MESSAGE_COLUMNS
					+ ") VALUES (NEXT VALUE FOR MQTT_PENDING_MESSAGE_SEQ, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
		}
	}

	@Override
	public void addPendingMessage(PendingMessage message) {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(this.upsertPendingMessage)) {
			bindMessage(statement, message, now());
			statement.executeUpdate();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void removePendingMessage(PendingMessage.State state, int packetId) {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(
						"DELETE FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ? AND STATE = ? AND PACKET_ID = ?")) {
			statement.setString(1, this.clientId);
			statement.setString(2, state.name());
			statement.setInt(3, packetId);
			statement.executeUpdate();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void addSubscription(Subscription subscription) {
		try (Connection connection = this.dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(this.upsertSubscription)) {
			bindSubscription(statement, subscription, now());
			statement.executeUpdate();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public MqttSession load() {
		try (Connection connection = this.dataSource.getConnection()) {
			int packetId;
			try (PreparedStatement statement = connection
				.prepareStatement("SELECT PACKET_ID FROM MQTT_SESSION WHERE CLIENT_ID = ?")) {
				statement.setString(1, this.clientId);
				try (ResultSet row = statement.executeQuery()) {
					if (!row.next()) {
						throw new IllegalStateException("No session for " + this.clientId);
					}
					packetId = row.getInt(1);
				}
			}
			List<Subscription> subscriptions = new ArrayList<>();
			try (PreparedStatement statement = connection
				.prepareStatement("SELECT TOPIC_FILTER, QOS FROM MQTT_SUBSCRIPTION WHERE CLIENT_ID = ? ORDER BY ID")) {
				statement.setString(1, this.clientId);
				try (ResultSet rows = statement.executeQuery()) {
					while (rows.next()) {
						subscriptions.add(new Subscription(rows.getString(1), rows.getInt(2)));
					}
				}
			}
			List<PendingMessage> messages = readMessages(connection, this.clientId);
			MqttSession session = new MqttSession(subscriptions, messages, packetId);
			this.known = session;
			return session;
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Reads a session's pending messages, in order, with plain JDBC.
	 * @param connection the connection
	 * @param clientId the client id
	 * @return the messages
	 * @throws SQLException when the query fails
	 */
	static List<PendingMessage> readMessages(Connection connection, String clientId) throws SQLException {
		List<PendingMessage> messages = new ArrayList<>();
		try (PreparedStatement statement = connection.prepareStatement("SELECT STATE, PACKET_ID, TOPIC, QOS, RETAINED,"
				+ " DUPLICATE, PROPERTIES, PAYLOAD FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ? ORDER BY ID")) {
			statement.setString(1, clientId);
			statement.setFetchSize(1000);
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					messages.add(new PendingMessage(PendingMessage.State.valueOf(rows.getString(1)), rows.getInt(2),
							rows.getString(3), rows.getBytes(8), rows.getInt(4), rows.getBoolean(5), rows.getBoolean(6),
							rows.getBytes(7)));
				}
			}
		}
		return messages;
	}

	@Override
	public void save(MqttSession session) {
		MqttSession previous = this.known;
		OffsetDateTime now = now();
		try (Connection connection = this.dataSource.getConnection()) {
			connection.setAutoCommit(false);
			try {
				if (previous == null) {
					writeWhole(connection, session, now);
				}
				else {
					writeDifference(connection, previous, session, now);
				}
				connection.commit();
			}
			catch (SQLException | RuntimeException ex) {
				connection.rollback();
				throw ex;
			}
			finally {
				connection.setAutoCommit(true);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
		this.known = session;
	}

	private void writeWhole(Connection connection, MqttSession session, OffsetDateTime now) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.insertSessionIfAbsent)) {
			statement.setString(1, this.clientId);
			statement.setObject(2, now);
			statement.setObject(3, now);
			statement.executeUpdate();
		}
		for (String table : new String[] { "MQTT_PENDING_MESSAGE", "MQTT_SUBSCRIPTION" }) {
			try (PreparedStatement statement = connection
				.prepareStatement("DELETE FROM " + table + " WHERE CLIENT_ID = ?")) {
				statement.setString(1, this.clientId);
				statement.executeUpdate();
			}
		}
		updateSessionRow(connection, session, now);
		try (PreparedStatement statement = connection.prepareStatement(this.insertSubscription)) {
			for (Subscription subscription : session.subscriptions()) {
				bindSubscription(statement, subscription, now);
				statement.addBatch();
			}
			statement.executeBatch();
		}
		try (PreparedStatement statement = connection.prepareStatement(this.insertPendingMessage)) {
			int batched = 0;
			for (PendingMessage message : session.pendingMessages()) {
				bindMessage(statement, message, now);
				statement.addBatch();
				if (++batched % 500 == 0) {
					statement.executeBatch();
				}
			}
			statement.executeBatch();
		}
	}

	private void writeDifference(Connection connection, MqttSession previous, MqttSession session, OffsetDateTime now)
			throws SQLException {
		updateSessionRow(connection, session, now);
		Map<Long, PendingMessage> before = byKey(previous.pendingMessages());
		Map<Long, PendingMessage> after = byKey(session.pendingMessages());
		for (Map.Entry<Long, PendingMessage> entry : before.entrySet()) {
			PendingMessage current = after.get(entry.getKey());
			if (current == null || !current.equals(entry.getValue())) {
				delete(connection, entry.getValue());
			}
		}
		for (Map.Entry<Long, PendingMessage> entry : after.entrySet()) {
			PendingMessage then = before.get(entry.getKey());
			if (then == null || !then.equals(entry.getValue())) {
				try (PreparedStatement statement = connection.prepareStatement(this.insertPendingMessage)) {
					bindMessage(statement, entry.getValue(), now);
					statement.executeUpdate();
				}
			}
		}
		Map<String, Subscription> subscriptionsBefore = new HashMap<>();
		previous.subscriptions()
			.forEach((subscription) -> subscriptionsBefore.put(subscription.topicFilter(), subscription));
		for (Subscription subscription : session.subscriptions()) {
			if (!subscription.equals(subscriptionsBefore.remove(subscription.topicFilter()))) {
				try (PreparedStatement statement = connection.prepareStatement(this.upsertSubscription)) {
					bindSubscription(statement, subscription, now);
					statement.executeUpdate();
				}
			}
		}
		for (String removed : subscriptionsBefore.keySet()) {
			try (PreparedStatement statement = connection
				.prepareStatement("DELETE FROM MQTT_SUBSCRIPTION WHERE CLIENT_ID = ? AND TOPIC_FILTER = ?")) {
				statement.setString(1, this.clientId);
				statement.setString(2, removed);
				statement.executeUpdate();
			}
		}
	}

	private void updateSessionRow(Connection connection, MqttSession session, OffsetDateTime now) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(
				"UPDATE MQTT_SESSION SET PACKET_ID = ?, UPDATED_AT = ?, VERSION = VERSION + 1 WHERE CLIENT_ID = ?")) {
			statement.setInt(1, session.packetId());
			statement.setObject(2, now);
			statement.setString(3, this.clientId);
			statement.executeUpdate();
		}
	}

	private void delete(Connection connection, PendingMessage message) throws SQLException {
		try (PreparedStatement statement = connection
			.prepareStatement("DELETE FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ? AND STATE = ? AND PACKET_ID = ?")) {
			statement.setString(1, this.clientId);
			statement.setString(2, message.state().name());
			statement.setInt(3, message.packetId());
			statement.executeUpdate();
		}
	}

	private static Map<Long, PendingMessage> byKey(List<PendingMessage> messages) {
		Map<Long, PendingMessage> byKey = new HashMap<>(messages.size() * 2);
		for (PendingMessage message : messages) {
			byKey.put(((long) message.state().ordinal() << 32) | message.packetId(), message);
		}
		return byKey;
	}

	private void bindMessage(PreparedStatement statement, PendingMessage message, OffsetDateTime now)
			throws SQLException {
		statement.setString(1, this.clientId);
		statement.setString(2, message.state().name());
		statement.setInt(3, message.packetId());
		statement.setString(4, message.topic());
		statement.setInt(5, message.qos());
		statement.setBoolean(6, message.retained());
		statement.setBoolean(7, message.duplicate());
		statement.setBytes(8, message.properties());
		statement.setBytes(9, message.payload());
		statement.setObject(10, now);
	}

	private void bindSubscription(PreparedStatement statement, Subscription subscription, OffsetDateTime now)
			throws SQLException {
		statement.setString(1, this.clientId);
		statement.setString(2, subscription.topicFilter());
		statement.setInt(3, subscription.qos());
		statement.setObject(4, now);
	}

	private static OffsetDateTime now() {
		return OffsetDateTime.now(ZoneOffset.UTC);
	}

	@Override
	public void close() {
		this.close.run();
	}

}
