package io.github.mqttsession.store;

import java.sql.Connection;

import javax.sql.DataSource;

/**
 * A store that can record, in a transaction of the application's own on the store's
 * database, that an inbound QoS 2 message was handled: the optional
 * {@linkplain SessionStoreFeature feature} behind {@code mqtt.inbound.transactional}. The
 * record commits with the application's own writes of the message, or not at all, so that
 * the message's effect is in the application's tables exactly once. Every other write of
 * the store keeps its own transaction.
 * <p>
 * The caller hands in the connection of its transaction, so that the store needs no
 * transaction framework, and calls this just before it commits: on PostgreSQL the fence
 * locks the session's row until the commit.
 */
public interface TransactionalInbox extends SessionStoreFeature {

	/**
	 * The database whose transactions the writes join.
	 * @return the store's DataSource
	 */
	DataSource dataSource();

	/**
	 * Records in the transaction the connection runs that a received message was handled,
	 * after fencing the transaction on the lease this store holds on the session, if any:
	 * for an {@link PendingMessage.State#INBOUND_PUBLISH} record it writes the
	 * {@link PendingMessage.State#INBOUND_HANDLED} mark of its packet id; an
	 * {@link PendingMessage.State#INBOUND_RELEASED} record it removes. Nothing is
	 * committed here.
	 * @param connection a connection of {@link #dataSource()}, in the caller's
	 * transaction
	 * @param clientId the client id
	 * @param received the key of the received message's record
	 * @param topic the message's topic
	 * @throws SessionLeaseLostException when another owner took the lease since
	 * @throws SessionStoreException when the database fails
	 */
	void handled(Connection connection, String clientId, PendingMessage.Key received, String topic);

}
