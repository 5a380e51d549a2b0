package io.github.mqttsession.integration;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

import io.github.mqttsession.paho.ClientSessionPersistence;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStoreException;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * What the MQTT 3.1.1 and MQTT 5 session client managers share, written once: the start
 * that connects the client on its stored session and keeps trying after a failed first
 * connect, the stop that closes an offline client at once and gives the session back, the
 * gate arriving messages wait at, and the record of connect failures. The managers extend
 * different Spring Integration classes, so each holds one of these and keeps only the
 * calls whose types differ between Paho's two APIs, which it offers through
 * {@link PahoClient}.
 * <p>
 * Its methods are for the managers, adapters and handlers of this package.
 *
 * @param <C> the Paho client type of the protocol version
 */
public final class SessionClientManagerSupport<C> {

	private final String clientId;

	private final ClientSessionPersistence persistence;

	private final TaskScheduler taskScheduler;

	private final ConnectionFailures connectionFailures;

	private final Lock lock;

	private final Log logger;

	private final PahoClient<C> client;

	private final OutboxHandOver outbox;

	private volatile InboundGate inboundGate = InboundGate.alwaysOpen();

	private volatile @Nullable FirstConnectRetry firstConnectRetry;

	/**
	 * The thread that closes the client after its lease was lost, and may start it again.
	 */
	private volatile @Nullable Thread leaseRestart;

	/**
	 * Creates the shared part of one client manager.
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param taskScheduler the scheduler of the client's periodic work
	 * @param reconnects whether the client reconnects by itself (automatic reconnect)
	 * @param lock the manager's lock, which also guards its client
	 * @param logger the manager's log
	 * @param client the calls on the manager's Paho client
	 */
	SessionClientManagerSupport(String clientId, ClientSessionPersistence persistence, TaskScheduler taskScheduler,
			boolean reconnects, Lock lock, Log logger, PahoClient<C> client) {
		this.clientId = clientId;
		this.persistence = persistence;
		this.taskScheduler = taskScheduler;
		this.connectionFailures = new ConnectionFailures(clientId, reconnects);
		this.lock = lock;
		this.logger = logger;
		this.client = client;
		this.outbox = new OutboxHandOver(clientId);
		persistence.onLeaseLost(this::leaseLost);
		this.connectionFailures.checkBeforeConnects(persistence::confirmLease);
	}

	/**
	 * Stops the client when its session's lease was lost: it must not publish or
	 * reconnect for a session another instance may write. Its connect attempts fail from
	 * now on, and it is closed on a thread of its own, since the thread that found the
	 * loss (the store's writer, or the lease's renewal) is one the close waits for; the
	 * session is given back. When another instance took the session over, starting the
	 * client again takes it back as configured. When the lease only ran out while the
	 * store could not be reached, the client is started again at once: it connects once
	 * the store confirms its lease (the session is reloaded should another instance have
	 * held it meanwhile), retrying as a first connect does.
	 */
	private void leaseLost(SessionLeaseLostException loss) {
		this.connectionFailures.leaseLost(loss.getMessage(), loss.isTakenOver());
		Thread closing = new Thread(() -> {
			closeAndRelease();
			if (!loss.isTakenOver()) {
				startOnceStoreAnswers();
			}
		}, "mqtt-session-lease-lost-" + this.clientId);
		this.leaseRestart = closing;
		closing.setDaemon(true);
		closing.start();
	}

	/**
	 * Starts the client again, over and over while the store cannot be reached, until it
	 * holds its lease again or the manager is stopped.
	 */
	private void startOnceStoreAnswers() {
		while (!Thread.currentThread().isInterrupted()) {
			try {
				start();
				this.logger.info("MQTT client '" + this.clientId + "' holds the lease on its session again");
				return;
			}
			catch (RuntimeException ex) {
				if (!storeUnreachable(ex)) {
					this.logger.error("MQTT client '" + this.clientId + "' could not open its session again after"
							+ " its lease ran out; starting the client again retries", ex);
					return;
				}
			}
			LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
		}
	}

	private static boolean storeUnreachable(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SessionLeaseLostException) {
				return false;
			}
			if (cause instanceof SessionStoreException) {
				return true;
			}
		}
		return false;
	}

	void setInboundGate(InboundGate inboundGate) {
		this.inboundGate = inboundGate;
	}

	InboundGate getInboundGate() {
		return this.inboundGate;
	}

	TaskScheduler getTaskScheduler() {
		return this.taskScheduler;
	}

	ConnectionFailures connectionFailures() {
		return this.connectionFailures;
	}

	ClientSessionPersistence persistence() {
		return this.persistence;
	}

	/**
	 * Marks Paho's callback thread, and holds a message that arrived until the inbound
	 * adapter is ready.
	 * @param topic the topic of the message
	 */
	void messageArriving(String topic) {
		SendWindow.markCallbackThread();
		this.inboundGate.awaitOpen(topic);
	}

	/**
	 * Creates the client when there is none, and connects it, also when another client
	 * took its session over while it ran. A connect that fails with Paho's exception is
	 * logged and published as an event, or, with automatic reconnect, retried until it
	 * takes: the client's {@link ConnectionFailures} logged why, once, and counts the
	 * retries.
	 */
	void start() {
		this.lock.lock();
		try {
			if (this.inboundGate.isAbandoned()) {
				this.inboundGate = new InboundGate();
			}
			// A session taken over stays so until the client is started again
			this.connectionFailures.clearTakeover();
			C current = this.client.current();
			if (current == null) {
				current = create();
			}
			try {
				if (!this.client.connect(current) && !this.client.cleanStart()) {
					this.persistence.brokerHasNoSession();
				}
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				// Paho's exception, the only checked one its connect throws
				connectFailed(current, ex);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	private C create() {
		C created;
		this.outbox.opening();
		try {
			created = this.client.create();
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new IllegalStateException("Could not start the MQTT client of client id '" + this.clientId + "'", ex);
		}
		this.persistence.sendWindow().setConnected(() -> this.client.isConnected(created));
		PahoPacketIds.continueAfter(created, this.persistence.restoredPacketId());
		this.client.set(created);
		// Messages committed in the application's transactions that an earlier run did
		// not hand over: after the restored offline buffer, before anything new
		this.outbox.restored(this.persistence.takeRestoredOutbox());
		handOverCommitted();
		return created;
	}

	/**
	 * The messages written in the application's transactions that wait for their
	 * hand-over to this client.
	 * @return the hand-over
	 */
	OutboxHandOver outbox() {
		return this.outbox;
	}

	/**
	 * Hands the committed messages written in the application's transactions to the
	 * client, in order, when it has one.
	 */
	void handOverCommitted() {
		this.outbox.handOverCommitted(this::handOver);
	}

	/**
	 * Hands over the committed messages up to a transaction's last one, waiting at most
	 * the send timeout for a hand-over another thread runs.
	 * @param last the place of the transaction's last message in the queue
	 */
	void handOverCommittedUpTo(long last) {
		this.outbox.handOverUpTo(last, this::handOver, this.persistence.sendWindow().timeout());
	}

	private boolean handOver(PendingMessage message) throws Exception {
		C current = this.client.current();
		if (current == null) {
			return false;
		}
		this.persistence.handOver(message, () -> {
			this.client.publish(current, message);
			return null;
		});
		return true;
	}

	private void connectFailed(C failed, Exception ex) {
		if (this.client.automaticReconnect()) {
			this.firstConnectRetry = new FirstConnectRetry(this.taskScheduler, () -> this.client.isConnected(failed),
					() -> this.client.reconnect(failed));
		}
		else {
			this.client.publishConnectionFailed(ex);
			this.logger.error("Could not connect MQTT client '" + this.clientId + "'", ex);
		}
	}

	/**
	 * Stops trying to connect, refuses messages still waiting for an inbound adapter that
	 * never started, and stops the client, at once when it is offline; the session is
	 * given back in any case.
	 */
	void stop() {
		Thread restart = this.leaseRestart;
		if (restart != null && restart != Thread.currentThread()) {
			restart.interrupt();
		}
		FirstConnectRetry retry = this.firstConnectRetry;
		if (retry != null) {
			retry.stop();
			this.firstConnectRetry = null;
		}
		this.inboundGate.abandonIfClosed();
		closeAndRelease();
	}

	/**
	 * Closes the client, at once when it is offline, and gives the session back in any
	 * case.
	 */
	private void closeAndRelease() {
		try {
			if (!closeIfOffline()) {
				disconnectAndClose();
			}
		}
		finally {
			this.persistence.release();
		}
	}

	/**
	 * Disconnects a connected client the way MQTT ends a session's connection, and closes
	 * it. Spring Integration's stop disconnects forcibly, and Paho's forced disconnect
	 * waits out the whole disconnect timeout (5 s by default) even once the DISCONNECT is
	 * sent and the broker has closed the connection; a normal disconnect ends as soon as
	 * it is sent. It still waits for what is in flight first, up to the quiescent
	 * timeout. Should the disconnect fail or not end within the timeouts, the client is
	 * closed forcibly, as Spring Integration would.
	 */
	private void disconnectAndClose() {
		this.lock.lock();
		try {
			C current = this.client.current();
			if (current == null) {
				return;
			}
			boolean disconnected = false;
			try {
				this.client.disconnect(current);
				disconnected = true;
			}
			catch (Exception ex) {
				this.logger.debug(
						"MQTT client '" + this.clientId + "' did not disconnect normally; it is closed forcibly", ex);
			}
			try {
				if (this.client.automaticReconnect()) {
					this.client.stopReconnectCycle(current);
				}
				if (disconnected) {
					this.client.close(current);
				}
				else {
					this.client.closeForcibly(current);
				}
			}
			catch (Exception ex) {
				this.logger.warn("Could not close the MQTT client of client id '" + this.clientId + "'", ex);
			}
			finally {
				this.client.set(null);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Closes the client at once when it is not connected. Spring Integration's stop waits
	 * first for the broker to acknowledge what is in flight (the quiescent timeout, 30 s
	 * by default), then for a DISCONNECT to be sent (the disconnect timeout, 5 s):
	 * neither can happen without a connection. What is pending stays in the stored
	 * session, and the next start sends it.
	 * @return {@code false} when the client is connected, or there is none, and stops the
	 * usual way
	 */
	private boolean closeIfOffline() {
		this.lock.lock();
		try {
			C current = this.client.current();
			if (current == null || this.client.isConnected(current)) {
				return false;
			}
			try {
				// The reconnect cycle first: a reconnect it started after the forced
				// disconnect would keep the client from closing, and leave it connecting
				// on its own
				if (this.client.automaticReconnect()) {
					this.client.stopReconnectCycle(current);
				}
				this.client.closeForcibly(current);
			}
			catch (RuntimeException ex) {
				throw ex;
			}
			catch (Exception ex) {
				this.logger.warn("Could not close the MQTT client of client id '" + this.clientId + "'", ex);
			}
			finally {
				this.client.set(null);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * The calls on a manager's Paho client that {@link SessionClientManagerSupport}
	 * makes, whose types differ between Paho's two APIs. The only checked exception they
	 * throw is Paho's own.
	 *
	 * @param <C> the Paho client type
	 */
	interface PahoClient<C> {

		/** The manager's client, when it has one Paho can close at once. */
		@Nullable C current();

		/** Sets the manager's client. */
		void set(@Nullable C client);

		/**
		 * Creates a client on the session's persistence, with the manager's callback and
		 * offline buffer.
		 */
		C create() throws Exception;

		/**
		 * Connects with the manager's options, waits, and tells whether the broker had a
		 * session.
		 */
		boolean connect(C client) throws Exception;

		boolean isConnected(C client);

		void reconnect(C client) throws Exception;

		void stopReconnectCycle(C client);

		/**
		 * Disconnects normally: waits for in-flight work up to the quiescent timeout,
		 * sends DISCONNECT and waits until it is sent, up to the disconnect timeout.
		 */
		void disconnect(C client) throws Exception;

		/** Closes a disconnected client. */
		void close(C client) throws Exception;

		/**
		 * Disconnects without sending a DISCONNECT and without waiting, and closes the
		 * client.
		 */
		void closeForcibly(C client) throws Exception;

		/**
		 * Whether the manager's options ask for a clean session (MQTT 3.1.1) or clean
		 * start (MQTT 5).
		 */
		boolean cleanStart();

		boolean automaticReconnect();

		/**
		 * Publishes a message written in the application's transaction, as the outbound
		 * handler publishes (the message's record gives topic, QoS, retain flag and MQTT
		 * 5 properties).
		 */
		void publish(C client, PendingMessage message) throws Exception;

		/** Publishes Spring Integration's event for a connect that failed for good. */
		void publishConnectionFailed(Exception failure);

	}

}
