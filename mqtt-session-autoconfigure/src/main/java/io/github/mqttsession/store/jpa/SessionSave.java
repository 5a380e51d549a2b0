package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;
import org.jspecify.annotations.Nullable;

/**
 * Saves a whole session in one transaction, writing only the rows that differ from a base
 * (see {@link SessionDiff}): the session this thread last loaded or saved while the
 * caller still holds it, else the stored one, read in the same transaction.
 */
final class SessionSave {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	private final SessionRows rows;

	SessionSave(JdbcTransactions transactions, SessionStoreStatements statements, SessionRows rows) {
		this.transactions = transactions;
		this.statements = statements;
		this.rows = rows;
	}

	/**
	 * Saves a session. The session row is updated only when its version is still the
	 * base's, so a save, a packet id change or a delete by another writer since is a
	 * conflict. Rows the save does not touch, such as messages another writer added since
	 * through the fine-grained operations, are kept; when the base had to be read, a
	 * stored session that holds other subscriptions or messages than the one this thread
	 * knew is a conflict too.
	 * @param clientId the client id
	 * @param session the session to store
	 * @param known what this thread last loaded or saved, if anything
	 * @param now the time stamped on written rows
	 * @return the session row's new version
	 * @throws SessionStoreException when the database fails (nothing is written then), or
	 * when another writer saved, changed or deleted the session since {@code known}
	 */
	long save(String clientId, MqttSession session, @Nullable KnownSession known, Instant now) {
		return this.transactions.write(clientId, () -> "save the session", (connection) -> {
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
					RowBinding.insertSessionIfAbsent(connection, this.statements, clientId, now);
				}
				base = stored.map(SessionRows.Stored::session).orElse(MqttSession.EMPTY);
				version = stored.map(SessionRows.Stored::version).orElse(0L);
			}
			int updated = RowBinding.update(connection, this.statements.updateSessionIfVersion, (statement) -> {
				statement.setInt(1, session.packetId());
				statement.setObject(2, RowBinding.timestamp(now));
				statement.setString(3, clientId);
				statement.setLong(4, version);
			});
			if (updated == 0) {
				throw conflict(clientId);
			}
			write(connection,
					SessionDiff.between(base.subscriptions(), session.subscriptions(), Subscription::topicFilter),
					this.statements.deleteSubscriptions, this.statements.deleteSubscription,
					(statement, subscription) -> RowBinding.bindSubscriptionKey(statement, clientId,
							subscription.topicFilter()),
					this.statements.upsertSubscription,
					(statement, subscription) -> RowBinding.bindSubscription(statement, clientId, subscription, now),
					clientId);
			write(connection,
					SessionDiff.between(base.pendingMessages(), session.pendingMessages(), PendingMessage::key),
					this.statements.deletePendingMessages, this.statements.deletePendingMessage,
					(statement, message) -> RowBinding.bindMessageKey(statement, clientId, message.state(),
							message.packetId()),
					this.statements.upsertPendingMessage,
					(statement, message) -> RowBinding.bindMessage(statement, clientId, message, now), clientId);
			return version + 1;
		});
	}

	private static SessionStoreException conflict(String clientId) {
		return new SessionStoreException("Could not save the session for client '" + clientId
				+ "': another writer saved, changed or deleted it since this thread loaded it; load it again, apply"
				+ " the change and save again");
	}

	private static <V> void write(Connection connection, SessionDiff.Changes<V> changes, String deleteAll,
			String delete, RowBinding.ValueBinder<V> bindKey, String upsert, RowBinding.ValueBinder<V> bindValue,
			String clientId) throws SQLException {
		if (changes.rewrite()) {
			RowBinding.update(connection, deleteAll, (statement) -> statement.setString(1, clientId));
		}
		RowBinding.batch(connection, delete, changes.deleted(), bindKey);
		RowBinding.batch(connection, upsert, changes.written(), bindValue);
	}

}
