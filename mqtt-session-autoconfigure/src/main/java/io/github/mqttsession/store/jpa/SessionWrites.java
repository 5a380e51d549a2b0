package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;
import org.jspecify.annotations.Nullable;

/**
 * The fine-grained writes of the JPA store, each call one transaction with one commit
 * that touches only the rows it changes: a pending message, a subscription, the packet
 * id, or the whole session when it is deleted. Consecutive changes to pending messages go
 * to the database as JDBC batches, so a hundred queued acknowledgements cost one round
 * trip, not a hundred.
 */
final class SessionWrites {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	private final SessionFences fences;

	SessionWrites(JdbcTransactions transactions, SessionStoreStatements statements, SessionFences fences) {
		this.transactions = transactions;
		this.statements = statements;
		this.fences = fences;
	}

	/**
	 * Writes changes to pending messages in order in one transaction.
	 * @param clientId the client id
	 * @param changes the changes, at least one
	 * @param now the time stamped on added messages
	 * @param createSession whether to insert the session row first when it is missing
	 * @throws SessionStoreException when the database fails; nothing is written then
	 */
	void writePendingMessages(String clientId, List<PendingMessageChange> changes, Instant now, boolean createSession) {
		this.transactions.write(clientId, () -> describe(changes), (connection) -> {
			insertSessionIfAbsent(connection, clientId, now, createSession);
			writeChanges(connection, clientId, changes, now);
			return null;
		});
	}

	/**
	 * Adds a subscription, or changes its QoS when the session holds its topic filter
	 * already.
	 * @param clientId the client id
	 * @param subscription the subscription
	 * @param now the time stamped on the row
	 * @param createSession whether to insert the session row first when it is missing
	 * @throws SessionStoreException when the database fails; nothing is written then
	 */
	void addSubscription(String clientId, Subscription subscription, Instant now, boolean createSession) {
		this.transactions.write(clientId, () -> "add subscription '" + subscription.topicFilter() + "'",
				(connection) -> {
					insertSessionIfAbsent(connection, clientId, now, createSession);
					return RowBinding.update(connection, this.statements.upsertSubscription,
							(statement) -> RowBinding.bindSubscription(statement, clientId, subscription, now));
				});
	}

	/**
	 * Removes a subscription, if the session holds it.
	 * @param clientId the client id
	 * @param topicFilter the subscription's topic filter
	 * @throws SessionStoreException when the database fails
	 */
	void removeSubscription(String clientId, String topicFilter) {
		this.transactions.write(clientId, () -> "remove subscription '" + topicFilter + "'",
				(connection) -> RowBinding.update(connection, this.statements.deleteSubscription,
						(statement) -> RowBinding.bindSubscriptionKey(statement, clientId, topicFilter)));
	}

	/**
	 * Sets the packet id and counts the session row's version up.
	 * @param clientId the client id
	 * @param packetId the packet id
	 * @param now the update time
	 * @param createSession whether to insert the session row first when it is missing
	 * @throws SessionStoreException when the database fails; nothing is written then
	 */
	void setPacketId(String clientId, int packetId, Instant now, boolean createSession) {
		this.transactions.write(clientId, () -> "set packet id " + packetId, (connection) -> {
			insertSessionIfAbsent(connection, clientId, now, createSession);
			return RowBinding.update(connection, this.statements.updatePacketId, (statement) -> {
				statement.setInt(1, packetId);
				statement.setObject(2, RowBinding.timestamp(now));
				statement.setString(3, clientId);
			});
		});
	}

	/**
	 * Deletes a session with its subscriptions and messages. A session this store holds a
	 * lease on keeps its row, which holds the lease, with packet id 0: its owner goes on
	 * with an empty session, still fenced, and the row goes when the lease is given up
	 * unless the owner wrote the session again.
	 * @param clientId the client id
	 * @param now the update time
	 * @throws SessionStoreException when the database fails
	 */
	void delete(String clientId, Instant now) {
		if (this.fences.get(clientId) == null) {
			this.transactions.write(clientId, () -> "delete the session", (connection) -> RowBinding.update(connection,
					this.statements.deleteSession, (statement) -> statement.setString(1, clientId)));
			return;
		}
		this.transactions.write(clientId, () -> "delete the session", (connection) -> {
			RowBinding.update(connection, this.statements.deleteSubscriptions,
					(statement) -> statement.setString(1, clientId));
			RowBinding.update(connection, this.statements.deletePendingMessages,
					(statement) -> statement.setString(1, clientId));
			return RowBinding.update(connection, this.statements.updatePacketId, (statement) -> {
				statement.setInt(1, 0);
				statement.setObject(2, RowBinding.timestamp(now));
				statement.setString(3, clientId);
			});
		});
		this.fences.emptied(clientId);
	}

	private void insertSessionIfAbsent(Connection connection, String clientId, Instant now, boolean createSession)
			throws SQLException {
		if (createSession) {
			RowBinding.insertSessionIfAbsent(connection, this.statements, clientId, now);
		}
	}

	/**
	 * Writes the changes in two JDBC batches, deletes and upserts, each one round trip:
	 * changes to different messages do not depend on each other's order. Only when a
	 * message's change follows one of the other kind to the same message is the batch
	 * holding the earlier one sent first.
	 */
	private void writeChanges(Connection connection, String clientId, List<PendingMessageChange> changes, Instant now)
			throws SQLException {
		try (PreparedStatement upserts = connection.prepareStatement(this.statements.upsertPendingMessage);
				PreparedStatement deletes = connection.prepareStatement(this.statements.deletePendingMessage)) {
			Set<PendingMessage.Key> upserted = new HashSet<>();
			Set<PendingMessage.Key> deleted = new HashSet<>();
			for (PendingMessageChange change : changes) {
				if (change instanceof PendingMessageChange.Added added) {
					PendingMessage.Key key = added.message().key();
					sendFirst(deletes, deleted, key);
					RowBinding.bindMessage(upserts, clientId, added.message(), now);
					upserts.addBatch();
					upserted.add(key);
				}
				else if (change instanceof PendingMessageChange.Removed removed) {
					PendingMessage.Key key = removed.key();
					sendFirst(upserts, upserted, key);
					RowBinding.bindMessageKey(deletes, clientId, removed.state(), removed.packetId());
					deletes.addBatch();
					deleted.add(key);
				}
			}
			sendFirst(deletes, deleted, null);
			sendFirst(upserts, upserted, null);
		}
	}

	/**
	 * Sends a batch when it holds a change to the key (every batch when there is no key)
	 * and empties it.
	 */
	private static void sendFirst(PreparedStatement batch, Set<PendingMessage.Key> keys,
			PendingMessage.@Nullable Key key) throws SQLException {
		if (!keys.isEmpty() && (key == null || keys.contains(key))) {
			batch.executeBatch();
			keys.clear();
		}
	}

	private static String describe(List<PendingMessageChange> changes) {
		if (changes.size() == 1) {
			return describe(changes.get(0));
		}
		if (changes.size() == 2) {
			return describe(changes.get(0)) + " and " + describe(changes.get(1));
		}
		return "write " + changes.size() + " changes to pending messages, starting with " + describe(changes.get(0));
	}

	private static String describe(PendingMessageChange change) {
		if (change instanceof PendingMessageChange.Added added) {
			return "add pending message " + added.message().state() + " #" + added.message().packetId();
		}
		PendingMessageChange.Removed removed = (PendingMessageChange.Removed) change;
		return "remove pending message " + removed.state() + " #" + removed.packetId();
	}

}
