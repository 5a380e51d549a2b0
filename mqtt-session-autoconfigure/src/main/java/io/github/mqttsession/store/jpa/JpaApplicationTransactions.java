package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

import javax.sql.DataSource;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.TransactionalInbox;
import io.github.mqttsession.store.TransactionalOutbox;

/**
 * The JPA store's writes in the application's own transactions: the lease's fence, plain
 * INSERTs of the {@link PendingMessage.State#TRANSACTIONAL_OUTBOX} rows (one JDBC batch),
 * and the record that an inbound message was handled, on the caller's connection just
 * before it commits. The fence locks the session row without the idle timeout the store's
 * own fenced transactions set on PostgreSQL: that timeout would end the application's
 * transaction, and the row is locked only from just before the commit.
 */
final class JpaApplicationTransactions implements TransactionalOutbox, TransactionalInbox {

	private final DataSource dataSource;

	private final SessionStoreStatements statements;

	private final SessionFences fences;

	private final Clock clock;

	JpaApplicationTransactions(DataSource dataSource, SessionStoreStatements statements, SessionFences fences,
			Clock clock) {
		this.dataSource = dataSource;
		this.statements = statements;
		this.fences = fences;
		this.clock = clock;
	}

	@Override
	public DataSource dataSource() {
		return this.dataSource;
	}

	@Override
	public void write(Connection connection, String clientId, List<PendingMessage> messages) {
		if (messages.isEmpty()) {
			return;
		}
		for (PendingMessage message : messages) {
			if (message.state() != PendingMessage.State.TRANSACTIONAL_OUTBOX) {
				throw new IllegalArgumentException("Only TRANSACTIONAL_OUTBOX messages are written in the caller's"
						+ " transaction, not " + message.state());
			}
		}
		Instant now = this.clock.instant();
		try {
			if (!sessionExists(connection, clientId)) {
				RowBinding.insertSessionIfAbsent(connection, this.statements, clientId, now);
			}
			try (PreparedStatement statement = connection.prepareStatement(this.statements.insertPendingMessage)) {
				for (PendingMessage message : messages) {
					RowBinding.bindMessage(statement, clientId, message, now);
					statement.addBatch();
				}
				statement.executeBatch();
			}
		}
		catch (SQLException ex) {
			throw new SessionStoreException("Could not write " + messages.size() + " message(s) of client '" + clientId
					+ "' in the application's transaction: " + JdbcTransactions.rootMessage(ex), ex);
		}
	}

	@Override
	public void handled(Connection connection, String clientId, PendingMessage.Key received, String topic) {
		fence(connection, clientId);
		try {
			switch (received.state()) {
				case INBOUND_PUBLISH -> {
					try (PreparedStatement statement = connection
						.prepareStatement(this.statements.insertPendingMessage)) {
						RowBinding.bindMessage(statement, clientId, PendingMessage.handled(received.packetId(), topic),
								this.clock.instant());
						statement.executeUpdate();
					}
				}
				case INBOUND_RELEASED -> {
					try (PreparedStatement statement = connection
						.prepareStatement(this.statements.deletePendingMessage)) {
						RowBinding.bindMessageKey(statement, clientId, received.state(), received.packetId());
						statement.executeUpdate();
					}
				}
				default -> throw new IllegalArgumentException(
						"Only a received message's record can be handled, not " + received);
			}
		}
		catch (SQLException ex) {
			throw new SessionStoreException("Could not record in the application's transaction that client '" + clientId
					+ "' handled the message of " + received + ": " + JdbcTransactions.rootMessage(ex), ex);
		}
	}

	/**
	 * Whether the session row exists, read without a lock: H2's upsert of an existing row
	 * locks it until the caller commits, which would hold up every store write of the
	 * session (they lock the row first) for as long as the caller's transaction runs.
	 */
	private boolean sessionExists(Connection connection, String clientId) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.statements.selectSession)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				return row.next();
			}
		}
	}

	@Override
	public void fence(Connection connection, String clientId) {
		try {
			this.fences.checkInApplicationTransaction(connection, clientId);
		}
		catch (SQLException ex) {
			throw new SessionStoreException(
					"Could not check the lease of client '" + clientId
							+ "' before the application's transaction commits: " + JdbcTransactions.rootMessage(ex),
					ex);
		}
	}

}
