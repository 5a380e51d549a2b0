package io.github.mqttsession.integration;

import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.StoreWriteFailure;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.Mqttv3ClientManager;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;
import org.springframework.integration.mqtt.support.MqttUtils;
import org.springframework.scheduling.TaskScheduler;

/**
 * A Spring Integration {@link Mqttv3ClientManager} whose client keeps its session in a
 * {@link SessionStoreMqttClientPersistence}: buffering while offline is on and persisted, the packet id carries on
 * from the stored session, messages delivered before the inbound adapter registered wait for it, and a connect
 * where the broker lost the session is reported.
 */
public class SessionMqttv3ClientManager extends Mqttv3ClientManager implements SessionClientManager {

	private final SessionStoreMqttClientPersistence persistence;

	private final DisconnectedBufferOptions bufferOptions;

	private volatile InboundGate inboundGate = InboundGate.alwaysOpen();

	private volatile FirstConnectRetry firstConnectRetry;

	private final ConnectionFailures connectionFailures;

	private final TaskScheduler taskScheduler;

	/**
	 * Creates a client manager.
	 * @param connectOptions the connect options
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param offlineBufferSize how many messages to buffer while offline
	 * @param taskScheduler the scheduler of the client's periodic work: connect attempts after a failed first
	 * connect, and the subscribe that waits for the offline buffer to be sent
	 */
	public SessionMqttv3ClientManager(MqttConnectOptions connectOptions, String clientId,
			SessionStoreMqttClientPersistence persistence, int offlineBufferSize, TaskScheduler taskScheduler) {
		super(connectOptions, clientId);
		this.persistence = persistence;
		this.taskScheduler = taskScheduler;
		setPersistence(persistence);
		persistence.sendWindow().setSize(connectOptions.getMaxInflight(), "mqtt.client.max-inflight");
		this.connectionFailures = new ConnectionFailures(clientId, connectOptions.isAutomaticReconnect());
		this.bufferOptions = new DisconnectedBufferOptions();
		this.bufferOptions.setBufferEnabled(true);
		this.bufferOptions.setPersistBuffer(true);
		this.bufferOptions.setBufferSize(offlineBufferSize);
		// The persistence enforces the cap (and drops the oldest where configured) before Paho buffers.
		this.bufferOptions.setDeleteOldestMessages(true);
	}

	@Override
	public void setInboundGate(InboundGate inboundGate) {
		this.inboundGate = inboundGate;
	}

	@Override
	public InboundGate getInboundGate() {
		return this.inboundGate;
	}

	@Override
	public <T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		return this.persistence.publishDurably(publish);
	}

	@Override
	public TaskScheduler getTaskScheduler() {
		return this.taskScheduler;
	}

	@Override
	public @Nullable ConnectFailure lastConnectFailure() {
		return this.connectionFailures.last();
	}

	@Override
	public void whenSessionOwned(Runnable write) {
		this.persistence.whenOwned(write);
	}

	@Override
	public @Nullable StoreWriteFailure lastStoreWriteFailure() {
		return this.persistence.lastStoreWriteFailure();
	}

	@Override
	public int pendingMessageCount() {
		return this.persistence.pendingMessageCount();
	}

	@Override
	public void checkRoomForOfflineMessage(String topic) {
		this.persistence.checkRoomForOfflineMessage(topic);
	}

	@Override
	public void start() {
		this.lock.lock();
		try {
			if (this.inboundGate.isAbandoned()) {
				this.inboundGate = new InboundGate();
			}
			IMqttAsyncClient client = getClient();
			if (client == null) {
				try {
					client = createClient();
				}
				catch (MqttException ex) {
					throw new IllegalStateException("Could not start the MQTT client of client id '" + getClientId() + "'",
							ex);
				}
				setClient(client);
			}
			try {
				IMqttToken token = client.connect(getConnectionInfo());
				token.waitForCompletion(getCompletionTimeout());
				if (!token.getSessionPresent() && !getConnectionInfo().isCleanSession()) {
					this.persistence.brokerHasNoSession();
				}
			}
			catch (MqttException ex) {
				if (getConnectionInfo().isAutomaticReconnect()) {
					// The client's ConnectionFailures logged why, once, and counts the retries
					IMqttAsyncClient failed = client;
					this.firstConnectRetry = new FirstConnectRetry(this.taskScheduler, failed::isConnected,
							failed::reconnect);
				}
				else {
					getApplicationEventPublisher().publishEvent(new MqttConnectionFailedEvent(this, ex));
					logger.error("Could not connect MQTT client '" + getClientId() + "'", ex);
				}
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public void stop() {
		FirstConnectRetry retry = this.firstConnectRetry;
		if (retry != null) {
			retry.stop();
			this.firstConnectRetry = null;
		}
		this.inboundGate.abandonIfClosed();
		try {
			if (!closeIfOffline()) {
				super.stop();
			}
		}
		finally {
			this.persistence.release();
		}
	}

	/**
	 * Closes the client at once when it is not connected. Spring Integration's stop waits first for the broker to
	 * acknowledge what is in flight (the quiescent timeout, 30 s by default), then for a DISCONNECT to be sent (the
	 * disconnect timeout, 5 s): neither can happen without a connection. What is pending stays in the stored
	 * session, and the next start sends it.
	 * @return {@code false} when the client is connected, or there is none, and stops the usual way
	 */
	private boolean closeIfOffline() {
		this.lock.lock();
		try {
			if (!(getClient() instanceof MqttAsyncClient client) || client.isConnected()) {
				return false;
			}
			try {
				// The reconnect cycle first: a reconnect it started after the forced disconnect would keep the
				// client from closing, and leave it connecting on its own
				if (getConnectionInfo().isAutomaticReconnect()) {
					MqttUtils.stopClientReconnectCycle(client);
				}
				client.disconnectForcibly(0, 0, false);
				client.close();
			}
			catch (MqttException ex) {
				logger.warn("Could not close the MQTT client of client id '" + getClientId() + "'", ex);
			}
			finally {
				setClient(null);
			}
			return true;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Logs the loss at WARN, once per cause, with the broker URL: the client reconnects and stores what is
	 * published meanwhile, so a lost connection is no error of the application's.
	 */
	@Override
	public void connectionLost(Throwable cause) {
		this.connectionFailures.connectionLost(cause, ConnectReportingMqttv3Client.reasonCode(cause));
	}

	private MqttAsyncClient createClient() throws MqttException {
		MqttAsyncClient client = new ConnectReportingMqttv3Client(getUrl(), getClientId(), this.persistence,
				this.connectionFailures);
		this.persistence.sendWindow().setConnected(client::isConnected);
		client.setManualAcks(isManualAcks());
		client.setCallback(new GatedCallback());
		client.setBufferOpts(this.bufferOptions);
		this.persistence.setClient(client, getConnectionInfo().getMaxInflight());
		PahoPacketIds.continueAfter(client, this.persistence.restoredPacketId());
		return client;
	}

	/** The client's callback: this manager's, with arriving messages held until the inbound adapter is ready. */
	private final class GatedCallback implements MqttCallbackExtended {

		@Override
		public void connectionLost(Throwable cause) {
			SessionMqttv3ClientManager.this.connectionLost(cause);
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			SendWindow.markCallbackThread();
			SessionMqttv3ClientManager.this.inboundGate.awaitOpen(topic);
			SessionMqttv3ClientManager.this.messageArrived(topic, message);
		}

		@Override
		public void deliveryComplete(IMqttDeliveryToken token) {
			SendWindow.markCallbackThread();
			SessionMqttv3ClientManager.this.deliveryComplete(token);
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
			SendWindow.markCallbackThread();
			SessionMqttv3ClientManager.this.connectComplete(reconnect, serverURI);
		}

	}

}
