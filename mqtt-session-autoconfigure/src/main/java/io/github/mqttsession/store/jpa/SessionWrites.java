package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;

/**
 * The write path of the JPA store: plain JDBC on the store's DataSource, beneath the entities, each call one
 * transaction with one commit. Consecutive changes of one kind go to the database as one JDBC batch, so a hundred
 * queued acknowledgements cost one round trip, not a hundred.
 */
final class SessionWrites {

	/** Rows per JDBC batch at most. */
	private static final int BATCH = 500;

	private final DataSource dataSource;

	private final SessionStoreStatements statements;

	private final SessionRows rows;

	private final boolean forceSynchronousCommit;

	SessionWrites(DataSource dataSource, SessionStoreStatements statements, SessionRows rows,
			boolean forceSynchronousCommit) {
		this.dataSource = dataSource;
		this.statements = statements;
		this.rows = rows;
		this.forceSynchronousCommit = forceSynchronousCommit;
	}

	/**
	 * Writes changes to pending messages in order in one transaction.
	 * @param clientId the client id
	 * @param changes the changes
	 * @param now the time stamped on added messages
	 * @param createSession whether to insert the session row first when it is missing
	 * @throws SQLException when the database fails; nothing is written then
	 */
	void write(String clientId, List<PendingMessageChange> changes, Instant now, boolean createSession)
			throws SQLException {
		JdbcTransaction.run(this.dataSource, (connection) -> {
			makeDurable(connection);
			if (createSession) {
				insertSessionIfAbsent(connection, clientId, now);
			}
			writeChanges(connection, clientId, changes, now);
			return null;
		});
	}

	/**
	 * Saves a whole session by writing only what differs from a base: the session this thread last loaded or saved
	 * while the caller still holds it, else the stored one, read in the same transaction. The session row is
	 * updated only when its version is still the base's, so a save, a packet id change or a delete by another
	 * writer since is a conflict. Rows the save does not touch, such as messages another writer added since through
	 * the fine-grained operations, are kept; when the base had to be read, a stored session that holds other
	 * subscriptions or messages than the one this thread knew is a conflict too.
	 * @param clientId the client id
	 * @param session the session to store
	 * @param known what this thread last loaded or saved, or {@code null}
	 * @param now the time stamped on written rows
	 * @return the session row's new version
	 * @throws SQLException when the database fails; nothing is written then
	 * @throws SessionStoreException when another writer saved, changed or deleted the session since {@code known}
	 */
	long save(String clientId, MqttSession session, KnownSession known, Instant now) throws SQLException {
		return JdbcTransaction.run(this.dataSource, (connection) -> {
			makeDurable(connection);
			MqttSession base = (known != null) ? known.session() : null;
			long version;
			if (base != null) {
				version = known.version();
			}
			else {
				Optional<SessionRows.Stored> stored = this.rows.read(connection, clientId);
				if (known != null && (stored.isEmpty() || KnownSession.keys(stored.get().session()) != known.keys())) {
					throw conflict(clientId);
				}
				if (stored.isEmpty()) {
					insertSessionIfAbsent(connection, clientId, now);
				}
				base = stored.map(SessionRows.Stored::session).orElse(MqttSession.EMPTY);
				version = stored.map(SessionRows.Stored::version).orElse(0L);
			}
			try (PreparedStatement update = connection.prepareStatement(this.statements.updateSessionIfVersion)) {
				update.setInt(1, session.packetId());
				update.setObject(2, timestamp(now));
				update.setString(3, clientId);
				update.setLong(4, version);
				if (update.executeUpdate() == 0) {
					throw conflict(clientId);
				}
			}
			write(connection, SessionDiff.between(base.subscriptions(), session.subscriptions(),
					Subscription::topicFilter), this.statements.deleteSubscriptions, this.statements.deleteSubscription,
					(statement, subscription) -> {
						statement.setString(1, clientId);
						statement.setString(2, subscription.topicFilter());
					}, this.statements.upsertSubscription,
					(statement, subscription) -> bindSubscription(statement, clientId, subscription, now), clientId);
			write(connection, SessionDiff.between(base.pendingMessages(), session.pendingMessages(),
					SessionDiff::messageKey), this.statements.deletePendingMessages,
					this.statements.deletePendingMessage,
					(statement, message) -> bindMessageKey(statement, clientId, message.state(), message.packetId()),
					this.statements.upsertPendingMessage,
					(statement, message) -> bindMessage(statement, clientId, message, now), clientId);
			return version + 1;
		});
	}

	private static SessionStoreException conflict(String clientId) {
		return new SessionStoreException("Could not save the session for client '" + clientId
				+ "': another writer saved, changed or deleted it since this thread loaded it; load it again, apply"
				+ " the change and save again");
	}

	private static <V> void write(Connection connection, SessionDiff.Changes<V> changes, String deleteAll,
			String delete, Binder<V> bindKey, String upsert, Binder<V> bindValue, String clientId)
			throws SQLException {
		if (changes.rewrite()) {
			try (PreparedStatement statement = connection.prepareStatement(deleteAll)) {
				statement.setString(1, clientId);
				statement.executeUpdate();
			}
		}
		batch(connection, delete, changes.deleted(), bindKey);
		batch(connection, upsert, changes.written(), bindValue);
	}

	private static <V> void batch(Connection connection, String sql, List<V> values, Binder<V> binder)
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

	private void makeDurable(Connection connection) throws SQLException {
		if (this.forceSynchronousCommit) {
			try (PreparedStatement statement = connection.prepareStatement(DurableCommits.SYNCHRONOUS_COMMIT)) {
				statement.execute();
			}
		}
	}

	/**
	 * Inserts a session row unless there is one.
	 * @param connection the connection, in a transaction
	 * @param clientId the client id
	 * @param now the creation time
	 * @throws SQLException when the database fails
	 */
	void insertSessionIfAbsent(Connection connection, String clientId, Instant now) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.statements.insertSessionIfAbsent)) {
			statement.setString(1, clientId);
			statement.setObject(2, timestamp(now));
			statement.setObject(3, timestamp(now));
			statement.executeUpdate();
		}
		catch (SQLException ex) {
			// H2's MERGE is not atomic: a concurrent writer may have inserted the row first, which is what we want.
			// The failed statement does not abort the transaction there; PostgreSQL never gets here (ON CONFLICT).
			if (!"23505".equals(ex.getSQLState())) {
				throw ex;
			}
		}
	}

	/**
	 * Writes the changes in two JDBC batches, deletes and upserts, each one round trip: changes to different
	 * messages do not depend on each other's order. Only when a message's change follows one of the other kind to
	 * the same message is the batch holding the earlier one sent first.
	 */
	private void writeChanges(Connection connection, String clientId, List<PendingMessageChange> changes, Instant now)
			throws SQLException {
		try (PreparedStatement upserts = connection.prepareStatement(this.statements.upsertPendingMessage);
				PreparedStatement deletes = connection.prepareStatement(this.statements.deletePendingMessage)) {
			Set<Object> upserted = new HashSet<>();
			Set<Object> deleted = new HashSet<>();
			for (PendingMessageChange change : changes) {
				if (change instanceof PendingMessageChange.Added added) {
					Object key = SessionDiff.messageKey(added.message().state(), added.message().packetId());
					sendFirst(deletes, deleted, key);
					bindMessage(upserts, clientId, added.message(), now);
					upserts.addBatch();
					upserted.add(key);
				}
				else if (change instanceof PendingMessageChange.Removed removed) {
					Object key = SessionDiff.messageKey(removed.state(), removed.packetId());
					sendFirst(upserts, upserted, key);
					bindMessageKey(deletes, clientId, removed.state(), removed.packetId());
					deletes.addBatch();
					deleted.add(key);
				}
			}
			sendFirst(deletes, deleted, null);
			sendFirst(upserts, upserted, null);
		}
	}

	/** Sends a batch when it holds a change to the key (every batch for a {@code null} key) and empties it. */
	private static void sendFirst(PreparedStatement batch, Set<Object> keys, Object key) throws SQLException {
		if (!keys.isEmpty() && (key == null || keys.contains(key))) {
			batch.executeBatch();
			keys.clear();
		}
	}

	/**
	 * Binds a subscription to the subscription insert or upsert of {@link SessionStoreStatements}.
	 * @param statement the statement
	 * @param clientId the client id
	 * @param subscription the subscription
	 * @param now the creation time
	 * @throws SQLException when binding fails
	 */
	static void bindSubscription(PreparedStatement statement, String clientId, Subscription subscription,
			Instant now) throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, subscription.topicFilter());
		statement.setInt(3, subscription.qos());
		statement.setObject(4, timestamp(now));
	}

	/**
	 * Binds a message to an insert or upsert of {@link SessionStoreStatements}.
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

	private static void bindMessageKey(PreparedStatement statement, String clientId, PendingMessage.State state,
			int packetId) throws SQLException {
		statement.setString(1, clientId);
		statement.setString(2, state.name());
		statement.setInt(3, packetId);
	}

	static OffsetDateTime timestamp(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	@FunctionalInterface
	private interface Binder<V> {

		void bind(PreparedStatement statement, V value) throws SQLException;

	}

}
