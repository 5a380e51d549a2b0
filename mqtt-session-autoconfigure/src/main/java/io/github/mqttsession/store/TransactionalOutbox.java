package io.github.mqttsession.store;

import java.sql.Connection;
import java.util.List;

import javax.sql.DataSource;

/**
 * A store that can write outbound messages in a transaction of the application's own, on
 * the store's database: the optional {@linkplain SessionStoreFeature feature} behind
 * {@code mqtt.outbound.transactional}. A message written so is a
 * {@link PendingMessage.State#TRANSACTIONAL_OUTBOX} record, stored if and only if that
 * transaction commits; the client publishes it after the commit. Every other write of the
 * store keeps its own transaction.
 * <p>
 * The caller hands in the connection of its transaction, so that the store needs no
 * transaction framework. It writes the messages of a transaction just before that
 * commits, after {@link #fence}: on PostgreSQL a row that references the session row
 * keeps the store's own writes of the session (which lock that row first) waiting until
 * its transaction ends, so the rows are written as late as can be.
 */
public interface TransactionalOutbox extends SessionStoreFeature {

	/**
	 * The database whose transactions the writes join.
	 * @return the store's DataSource
	 */
	DataSource dataSource();

	/**
	 * Writes messages in the transaction the connection runs, in order, creating the
	 * session when there is none; nothing is committed here.
	 * @param connection a connection of {@link #dataSource()}, in the caller's
	 * transaction
	 * @param clientId the client id
	 * @param messages the messages, in state
	 * {@link PendingMessage.State#TRANSACTIONAL_OUTBOX}
	 * @throws SessionStoreException when the database fails
	 */
	void write(Connection connection, String clientId, List<PendingMessage> messages);

	/**
	 * Fences the caller's transaction on the lease this store holds on the session, if
	 * any, as every other write of the session is: called just before the transaction
	 * writes its messages and commits, it locks the session's row until the commit, so
	 * that a takeover waits for it and then finds the messages written.
	 * @param connection a connection of {@link #dataSource()}, in the caller's
	 * transaction
	 * @param clientId the client id
	 * @throws SessionLeaseLostException when another owner took the lease since
	 * @throws SessionStoreException when the database fails
	 */
	void fence(Connection connection, String clientId);

}
