package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import javax.sql.DataSource;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;

/**
 * The hot path of the JPA store: changes to pending messages written over plain JDBC on the store's DataSource,
 * beneath the entities, in one transaction with one commit. Consecutive changes of one kind go to the database as
 * one JDBC batch, so a hundred queued acknowledgements cost one round trip, not a hundred.
 */
final class PendingMessageWrites {

	private final DataSource dataSource;

	private final SessionStoreStatements statements;

	private final boolean forceSynchronousCommit;

	PendingMessageWrites(DataSource dataSource, SessionStoreStatements statements, boolean forceSynchronousCommit) {
		this.dataSource = dataSource;
		this.statements = statements;
		this.forceSynchronousCommit = forceSynchronousCommit;
	}

	/**
	 * Writes changes in order in one transaction.
	 * @param clientId the client id
	 * @param changes the changes
	 * @param now the time stamped on added messages
	 * @param createSession whether to insert the session row first when it is missing
	 * @throws SQLException when the database fails; nothing is written then
	 */
	void write(String clientId, List<PendingMessageChange> changes, Instant now, boolean createSession)
			throws SQLException {
		JdbcTransaction.run(this.dataSource, (connection) -> {
			if (this.forceSynchronousCommit) {
				try (PreparedStatement statement = connection.prepareStatement(DurableCommits.SYNCHRONOUS_COMMIT)) {
					statement.execute();
				}
			}
			if (createSession) {
				insertSessionIfAbsent(connection, clientId, now);
			}
			writeChanges(connection, clientId, changes, now);
			return null;
		});
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

	private void writeChanges(Connection connection, String clientId, List<PendingMessageChange> changes, Instant now)
			throws SQLException {
		try (PreparedStatement upserts = connection.prepareStatement(this.statements.upsertPendingMessage);
				PreparedStatement deletes = connection.prepareStatement(this.statements.deletePendingMessage)) {
			PreparedStatement batch = null;
			for (PendingMessageChange change : changes) {
				PreparedStatement statement = (change instanceof PendingMessageChange.Added) ? upserts : deletes;
				if (batch != null && batch != statement) {
					batch.executeBatch();
				}
				batch = statement;
				if (change instanceof PendingMessageChange.Added added) {
					bindMessage(upserts, clientId, added.message(), now);
				}
				else if (change instanceof PendingMessageChange.Removed removed) {
					deletes.setString(1, clientId);
					deletes.setString(2, removed.state().name());
					deletes.setInt(3, removed.packetId());
				}
				statement.addBatch();
			}
			if (batch != null) {
				batch.executeBatch();
			}
		}
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
	}

	static OffsetDateTime timestamp(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

}
