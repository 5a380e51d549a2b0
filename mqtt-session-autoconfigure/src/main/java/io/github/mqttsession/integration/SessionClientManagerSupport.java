package io.github.mqttsession.integration;

import java.util.concurrent.locks.Lock;

import io.github.mqttsession.paho.ClientSessionPersistence;
import io.github.mqttsession.persistence.SendWindow;
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

	private volatile InboundGate inboundGate = InboundGate.alwaysOpen();

	private volatile @Nullable FirstConnectRetry firstConnectRetry;

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
		return created;
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
		FirstConnectRetry retry = this.firstConnectRetry;
		if (retry != null) {
			retry.stop();
			this.firstConnectRetry = null;
		}
		this.inboundGate.abandonIfClosed();
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

		/** Publishes Spring Integration's event for a connect that failed for good. */
		void publishConnectionFailed(Exception failure);

	}

}
