package io.github.mqttsession.integration;

import io.github.mqttsession.paho.SessionStoreMqttv5ClientPersistence;
import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.StoreWriteFailure;
import org.eclipse.paho.mqttv5.client.DisconnectedBufferOptions;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;
import org.springframework.integration.mqtt.support.MqttUtils;
import org.springframework.scheduling.TaskScheduler;

/**
 * The MQTT 5 counterpart of {@link SessionMqttv3ClientManager}: a Spring Integration {@link Mqttv5ClientManager}
 * whose client keeps its session in a {@link SessionStoreMqttv5ClientPersistence}.
 */
public class SessionMqttv5ClientManager extends Mqttv5ClientManager implements SessionClientManager {

	private final SessionStoreMqttv5ClientPersistence persistence;

	private final DisconnectedBufferOptions bufferOptions;

	private volatile InboundGate inboundGate = InboundGate.alwaysOpen();

	private volatile FirstConnectRetry firstConnectRetry;

	private final ConnectionFailures connectionFailures;

	private final TaskScheduler taskScheduler;

	/**
	 * Creates a client manager.
	 * @param connectionOptions the connection options
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param offlineBufferSize how many messages to buffer while offline
	 * @param taskScheduler the scheduler of the client's periodic work: connect attempts after a failed first
	 * connect, and the subscribe that waits for the offline buffer to be sent
	 */
	public SessionMqttv5ClientManager(MqttConnectionOptions connectionOptions, String clientId,
			SessionStoreMqttv5ClientPersistence persistence, int offlineBufferSize, TaskScheduler taskScheduler) {
		super(connectionOptions, clientId);
		this.persistence = persistence;
		this.taskScheduler = taskScheduler;
		setPersistence(persistence);
		this.connectionFailures = new ConnectionFailures(clientId, connectionOptions.isAutomaticReconnect());
		this.bufferOptions = new DisconnectedBufferOptions();
		this.bufferOptions.setBufferEnabled(true);
		this.bufferOptions.setPersistBuffer(true);
		this.bufferOptions.setBufferSize(offlineBufferSize);
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
				if (!token.getSessionPresent() && !getConnectionInfo().isCleanStart()) {
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
	 * Logs the loss at WARN, once per cause, with the broker URL and, when the broker disconnected the client, its
	 * reason code and reason string: the client reconnects and stores what is published meanwhile.
	 */
	@Override
	public void disconnected(MqttDisconnectResponse response) {
		MqttException exception = response.getException();
		if (exception != null) {
			this.connectionFailures.connectionLost(exception, ConnectReportingMqttv5Client.reasonCode(exception));
		}
		else {
			this.connectionFailures.connectionLost("disconnect/" + response.getReturnCode(),
					"the broker disconnected the client with reason code " + response.getReturnCode()
							+ ((response.getReasonString() != null) ? " (" + response.getReasonString() + ")" : ""));
		}
	}

	private MqttAsyncClient createClient() throws MqttException {
		SessionMqttv5AsyncClient client = new SessionMqttv5AsyncClient(getUrl(), getClientId(), this.persistence,
				this.connectionFailures);
		this.persistence.sendWindow().setConnected(client::isConnected);
		client.setManualAcks(isManualAcks());
		client.setCallback(new GatedCallback(client));
		client.setBufferOpts(this.bufferOptions);
		this.persistence.setClient(client);
		PahoPacketIds.continueAfter(client, this.persistence.restoredPacketId());
		return client;
	}

	/**
	 * The client's callback: this manager's, with arriving messages held until the inbound adapter is ready, and the
	 * offline buffer sent after a first connect.
	 */
	private final class GatedCallback implements MqttCallback {

		private final SessionMqttv5AsyncClient client;

		GatedCallback(SessionMqttv5AsyncClient client) {
			this.client = client;
		}

		@Override
		public void disconnected(MqttDisconnectResponse disconnectResponse) {
			SessionMqttv5ClientManager.this.disconnected(disconnectResponse);
		}

		@Override
		public void mqttErrorOccurred(MqttException exception) {
			SessionMqttv5ClientManager.this.mqttErrorOccurred(exception);
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			SendWindow.markCallbackThread();
			SessionMqttv5ClientManager.this.inboundGate.awaitOpen(topic);
			SessionMqttv5ClientManager.this.messageArrived(topic, message);
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
			SendWindow.markCallbackThread();
			SessionMqttv5ClientManager.this.deliveryComplete(token);
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
			SendWindow.markCallbackThread();
			SessionMqttv5ClientManager.this.persistence.sendWindow()
				.setSize(this.client.receiveMaximum(), "the Receive Maximum the broker sent");
			if (!reconnect) {
				this.client.sendBufferAfterFirstConnect();
			}
			SessionMqttv5ClientManager.this.connectComplete(reconnect, serverURI);
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
			SessionMqttv5ClientManager.this.authPacketArrived(reasonCode, properties);
		}

	}

}
