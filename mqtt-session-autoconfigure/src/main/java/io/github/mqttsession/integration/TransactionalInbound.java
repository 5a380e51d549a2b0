package io.github.mqttsession.integration;

import java.sql.Connection;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import javax.sql.DataSource;

import io.github.mqttsession.persistence.InboundHandling;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.TransactionalInbox;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * An inbound flow that runs in the application's transaction
 * ({@code mqtt.inbound.transactional}): each arriving message is sent to the flow inside
 * a transaction of the application's transaction manager on the session store's
 * DataSource, which, for a QoS 2 message, also records in the session that the message
 * was handled. The acknowledgement that lets the broker forget the message goes out only
 * after that commit, and a delivery of a handled message again is skipped, so the
 * message's effect is in the application's tables exactly once, crash or not. QoS 0 and 1
 * messages run in a transaction too, without the record: QoS 1 stays at least once.
 * <p>
 * When the flow fails, the transaction rolls back; then the error channel gets the
 * failure, as without transactions, and the message counts as complete; without an error
 * channel, or when it fails too, the message is delivered again. On MQTT 5, whose client
 * never delivers again a message it completed or restored, the messages no flow handled
 * are {@linkplain #redeliver handed to the flow} by the adapter on each connect.
 */
public final class TransactionalInbound {

	private static final Log logger = LogFactory.getLog(TransactionalInbound.class);

	private final SessionClientManager manager;

	private final TransactionalInbox inbox;

	private final DataSource dataSource;

	private final PlatformTransactionManager transactionManager;

	private final TransactionDefinition definition = new DefaultTransactionDefinition();

	/**
	 * Creates the transactional inbound flow of a client, and has its session track its
	 * received messages from its next open on.
	 * @param manager the client's manager
	 * @param inbox the store's records in the application's transactions
	 * @param transactionManager the application's transaction manager, on the store's
	 * DataSource
	 */
	public TransactionalInbound(SessionClientManager manager, TransactionalInbox inbox,
			PlatformTransactionManager transactionManager) {
		this.manager = manager;
		this.inbox = inbox;
		this.dataSource = inbox.dataSource();
		this.transactionManager = transactionManager;
		handling().enable();
	}

	private InboundHandling handling() {
		return this.manager.sessionSupport().persistence().inboundHandling();
	}

	/**
	 * Sends an arriving message to the flow in a transaction.
	 * @param identity the object the client delivered the message as
	 * @param packetId the message's packet id
	 * @param qos the message's QoS
	 * @param flow sends the message to the flow
	 * @param errorChannel sends a failure of the flow to the error channel, and answers
	 * whether it took it
	 * @throws RuntimeException what the flow failed with, when the error channel did not
	 * take it; the message is delivered again
	 */
	public void send(Object identity, int packetId, int qos, Runnable flow, Predicate<RuntimeException> errorChannel) {
		InboundHandling handling = handling();
		InboundHandling.Received received = (qos == 2) ? handling.delivered(identity, packetId) : null;
		if (received != null && handling.isFinished(received)) {
			logger.debug("Client '" + this.manager.getClientId() + "' skips packet id " + packetId
					+ ": its message was handled already");
			return;
		}
		try {
			runInTransaction(handling, received, flow);
		}
		catch (RuntimeException ex) {
			if (received != null) {
				handling.failed(received);
			}
			if (!errorChannel.test(ex)) {
				throw ex;
			}
			if (received != null) {
				handling.givenUp(received);
			}
		}
	}

	private void runInTransaction(InboundHandling handling, InboundHandling.Received received, Runnable flow) {
		TransactionStatus status = this.transactionManager.getTransaction(this.definition);
		try {
			requireStoreDataSource();
			flow.run();
		}
		catch (RuntimeException | Error ex) {
			this.transactionManager.rollback(status);
			throw ex;
		}
		if (received == null) {
			this.transactionManager.commit(status);
			return;
		}
		boolean committed;
		try {
			committed = handling.commit(received, (key) -> record(key, received.record()),
					() -> this.transactionManager.commit(status));
		}
		catch (RuntimeException | Error ex) {
			if (!status.isCompleted()) {
				this.transactionManager.rollback(status);
			}
			throw ex;
		}
		if (!committed) {
			// Another delivery of the message committed first: this one's effect goes
			logger.debug("Client '" + this.manager.getClientId()
					+ "' rolls back a second handling of a message handled meanwhile");
			this.transactionManager.rollback(status);
		}
	}

	private void requireStoreDataSource() {
		if (!TransactionSynchronizationManager.hasResource(this.dataSource)) {
			throw new IllegalStateException(
					"mqtt.inbound.transactional is true, but the transaction manager of client '"
							+ this.manager.getClientId()
							+ "' runs its transactions on another database than the session"
							+ " store's DataSource, so the record that a message was handled cannot commit with them; use a"
							+ " DataSourceTransactionManager or JpaTransactionManager on that DataSource");
		}
	}

	private void record(PendingMessage.Key key, PendingMessage message) {
		Connection connection = DataSourceUtils.getConnection(this.dataSource);
		try {
			this.inbox.handled(connection, this.manager.getClientId(), key, message.topic());
		}
		finally {
			DataSourceUtils.releaseConnection(connection, this.dataSource);
		}
	}

	/**
	 * Hands the messages the client will not deliver, and no flow handled yet, to the
	 * flow, in the order they arrived.
	 * @param deliver delivers one message's record to the adapter, which tracks it by the
	 * object it delivers
	 */
	public void redeliver(Redelivery deliver) {
		InboundHandling handling = handling();
		List<InboundHandling.Received> messages = handling.toRedeliver();
		if (!messages.isEmpty()) {
			logger.info("Client '" + this.manager.getClientId() + "' hands " + messages.size()
					+ " received message(s) that no flow handled yet to its inbound flow");
		}
		for (InboundHandling.Received message : messages) {
			try {
				deliver.deliver(message.record(), (identity) -> handling.track(message, identity));
			}
			catch (RuntimeException ex) {
				logger.warn("Client '" + this.manager.getClientId() + "' could not hand " + message.record()
						+ " to its inbound flow; it is handed to it again on the next connect: " + ex);
			}
		}
	}

	/** Delivers a stored message to the adapter. */
	@FunctionalInterface
	public interface Redelivery {

		/**
		 * Delivers a message.
		 * @param record the message's record
		 * @param track tracks the object the message is delivered as, before it is
		 * delivered
		 * @throws RuntimeException when the flow failed and the error channel did not
		 * take the failure
		 */
		void deliver(PendingMessage record, Consumer<Object> track);

	}

}
