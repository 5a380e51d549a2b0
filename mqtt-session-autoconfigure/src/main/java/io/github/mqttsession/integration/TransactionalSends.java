package io.github.mqttsession.integration;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.TransactionalOutbox;

import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Sends that follow the application's transaction ({@code mqtt.outbound.transactional}):
 * a send made inside a Spring-managed transaction on the session store's DataSource
 * returns at once, and its message is written into the session's pending messages in that
 * transaction, just before it commits; once the transaction commits, the client publishes
 * the messages, in the order they were sent. A rollback leaves nothing stored and nothing
 * published.
 * <p>
 * The transaction's connection comes from Spring's {@link DataSourceUtils}, which finds
 * it whether a {@code DataSourceTransactionManager} or a {@code JpaTransactionManager}
 * (which exposes its JDBC connection) runs the transaction. Transactions that send to the
 * same client commit one at a time, from just before their commit until their messages
 * are queued for the hand-over to the client, so that the client publishes in commit
 * order. Just before the commit, the transaction is fenced on the session's lease, as
 * every store write is: the commit of an instance that lost the session to another fails,
 * and the transaction rolls back.
 */
public final class TransactionalSends {

	private final SessionClientManager manager;

	private final TransactionalOutbox outbox;

	private final DataSource dataSource;

	/** Held by the transaction that commits sends to this client now. */
	private final ReentrantLock commitOrder = new ReentrantLock(true);

	/**
	 * Creates the transactional sends of a client.
	 * @param manager the client's manager
	 * @param outbox the store's writes in the application's transactions
	 */
	public TransactionalSends(SessionClientManager manager, TransactionalOutbox outbox) {
		this.manager = manager;
		this.outbox = outbox;
		this.dataSource = outbox.dataSource();
	}

	/**
	 * Whether a send on this thread joins a transaction: one runs and it is bound to the
	 * store's DataSource. A send outside any transaction does not, and is published as
	 * usual.
	 * @return {@code true} when the send is to be written in the caller's transaction
	 * @throws IllegalStateException when a transaction runs that is not bound to the
	 * store's DataSource (another DataSource's, or a transaction manager that does not
	 * expose a JDBC connection): publishing at once would break the promise the property
	 * makes, so the send fails
	 */
	public boolean joinsTransaction() {
		if (!TransactionSynchronizationManager.isActualTransactionActive()) {
			return false;
		}
		if (!TransactionSynchronizationManager.isSynchronizationActive()
				|| !TransactionSynchronizationManager.hasResource(this.dataSource)) {
			throw new IllegalStateException("mqtt.outbound.transactional is true and this send of client '"
					+ this.manager.getClientId() + "' runs in a transaction, but not in one on the session store's"
					+ " DataSource, whose commit the message could follow; run the send in a transaction of a"
					+ " DataSourceTransactionManager or JpaTransactionManager on that DataSource, or outside"
					+ " any transaction to publish it at once");
		}
		return true;
	}

	/**
	 * Adds a message to the caller's transaction: it is written in that transaction just
	 * before it commits, and the client publishes it once it has committed.
	 * @param topic the message's topic
	 * @param message the message's record for a number
	 * @throws Exception when Paho cannot encode the message
	 * @throws io.github.mqttsession.persistence.PendingMessageLimitExceededException when
	 * the session has no room for it
	 */
	public void send(String topic, OutboxRecord message) throws Exception {
		this.manager.requireSessionLease();
		SessionClientManagerSupport<?> support = this.manager.sessionSupport();
		OutboxHandOver handOver = support.outbox();
		support.persistence().checkRoomInTransaction(topic, handOver.waiting());
		Batch batch = currentBatch();
		int number = handOver.reserve();
		try {
			batch.messages.add(message.withNumber(number));
		}
		catch (Exception ex) {
			// The caller may catch the failure and commit still: nothing of it is kept
			handOver.release(List.of(number));
			throw ex;
		}
	}

	private Batch currentBatch() {
		Batch batch = (Batch) TransactionSynchronizationManager.getResource(this);
		if (batch == null) {
			batch = new Batch();
			TransactionSynchronizationManager.bindResource(this, batch);
			TransactionSynchronizationManager.registerSynchronization(batch);
		}
		return batch;
	}

	/** A message's record, once it has its number. */
	@FunctionalInterface
	public interface OutboxRecord {

		/**
		 * The record.
		 * @param number its number among the session's outbox records
		 * @return the record
		 * @throws Exception when Paho cannot encode the message
		 */
		PendingMessage withNumber(int number) throws Exception;

	}

	/** The sends of one transaction, and what happens to them when it ends. */
	private final class Batch implements TransactionSynchronization {

		private final List<PendingMessage> messages = new ArrayList<>();

		private boolean ordered;

		@Override
		public void suspend() {
			TransactionSynchronizationManager.unbindResource(TransactionalSends.this);
		}

		@Override
		public void resume() {
			TransactionSynchronizationManager.bindResource(TransactionalSends.this, this);
		}

		/**
		 * Writes the messages as late as can be, once this transaction is the one to
		 * commit next for the client: a row that references the session row keeps the
		 * store's other writes of the session waiting until it commits on PostgreSQL.
		 */
		@Override
		public void beforeCommit(boolean readOnly) {
			if (this.messages.isEmpty()) {
				return;
			}
			TransactionalSends.this.commitOrder.lock();
			this.ordered = true;
			String clientId = TransactionalSends.this.manager.getClientId();
			Connection connection = DataSourceUtils.getConnection(TransactionalSends.this.dataSource);
			try {
				TransactionalSends.this.outbox.fence(connection, clientId);
				TransactionalSends.this.outbox.write(connection, clientId, this.messages);
			}
			finally {
				DataSourceUtils.releaseConnection(connection, TransactionalSends.this.dataSource);
			}
		}

		/**
		 * Queues the messages for the hand-over in commit order, lets the next
		 * transaction commit, and returns once the messages are handed over (by this
		 * thread or the one handing over already, in the order of the queue), at most
		 * after the send timeout.
		 */
		@Override
		public void afterCommit() {
			SessionClientManagerSupport<?> support = TransactionalSends.this.manager.sessionSupport();
			long last = support.outbox().committed(this.messages);
			if (this.ordered) {
				this.ordered = false;
				TransactionalSends.this.commitOrder.unlock();
			}
			support.handOverCommittedUpTo(last);
		}

		@Override
		public void afterCompletion(int status) {
			try {
				TransactionSynchronizationManager.unbindResourceIfPossible(TransactionalSends.this);
				if (status != STATUS_COMMITTED) {
					TransactionalSends.this.manager.sessionSupport()
						.outbox()
						.release(this.messages.stream().map(PendingMessage::packetId).toList());
				}
			}
			finally {
				if (this.ordered) {
					TransactionalSends.this.commitOrder.unlock();
				}
			}
		}

	}

}
