package io.github.mqttsession.integration;

import io.github.mqttsession.paho.DurablePublish;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;

import org.springframework.integration.mqtt.core.Mqttv3ClientManager;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;

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

	/**
	 * Creates a client manager.
	 * @param connectOptions the connect options
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param offlineBufferSize how many messages to buffer while offline
	 */
	public SessionMqttv3ClientManager(MqttConnectOptions connectOptions, String clientId,
			SessionStoreMqttClientPersistence persistence, int offlineBufferSize) {
		super(connectOptions, clientId);
		this.persistence = persistence;
		setPersistence(persistence);
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
					logger.warn("MQTT client '" + getClientId() + "' could not connect (" + ex.getMessage()
							+ "); it keeps trying, and publishes are stored until it succeeds");
					IMqttAsyncClient failed = client;
					this.firstConnectRetry = new FirstConnectRetry(getClientId(), failed::isConnected, failed::reconnect);
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
			super.stop();
		}
		finally {
			this.persistence.release();
		}
	}

	private MqttAsyncClient createClient() throws MqttException {
		MqttAsyncClient client = new MqttAsyncClient(getUrl(), getClientId(), this.persistence);
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
			SessionMqttv3ClientManager.this.inboundGate.awaitOpen(topic);
			SessionMqttv3ClientManager.this.messageArrived(topic, message);
		}

		@Override
		public void deliveryComplete(IMqttDeliveryToken token) {
			SessionMqttv3ClientManager.this.deliveryComplete(token);
		}

		@Override
		public void connectComplete(boolean reconnect, String serverURI) {
			SessionMqttv3ClientManager.this.connectComplete(reconnect, serverURI);
		}

	}

}
