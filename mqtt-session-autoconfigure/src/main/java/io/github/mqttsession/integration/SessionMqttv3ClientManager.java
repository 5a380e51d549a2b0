package io.github.mqttsession.integration;

import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.paho.Mqttv3OutboxMessages;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.store.PendingMessage;
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
 * {@link SessionStoreMqttClientPersistence}: buffering while offline is on and persisted,
 * the packet id carries on from the stored session, messages delivered before the inbound
 * adapter registered wait for it, and a connect where the broker lost the session is
 * reported. Its lifecycle is {@link SessionClientManagerSupport}'s; this class adds the
 * calls typed by Paho's MQTT 3.1.1 API.
 */
public class SessionMqttv3ClientManager extends Mqttv3ClientManager
		implements SessionMqttClientManager<IMqttAsyncClient, MqttConnectOptions> {

	private final SessionStoreMqttClientPersistence persistence;

	private final DisconnectedBufferOptions bufferOptions;

	private final SessionClientManagerSupport<MqttAsyncClient> support;

	private final ShortConnections shortConnections = new ShortConnections();

	/**
	 * Creates a client manager.
	 * @param connectOptions the connect options
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param offlineBufferSize how many messages to buffer while offline
	 * @param taskScheduler the scheduler of the client's periodic work: connect attempts
	 * after a failed first connect, and the subscribe that waits for the offline buffer
	 * to be sent
	 */
	public SessionMqttv3ClientManager(MqttConnectOptions connectOptions, String clientId,
			SessionStoreMqttClientPersistence persistence, int offlineBufferSize, TaskScheduler taskScheduler) {
		super(connectOptions, clientId);
		this.persistence = persistence;
		setPersistence(persistence);
		persistence.sendWindow().setSize(connectOptions.getMaxInflight(), "mqtt.client.max-inflight");
		this.support = new SessionClientManagerSupport<>(clientId, persistence, taskScheduler,
				connectOptions.isAutomaticReconnect(), this.lock, this.logger, new Client());
		this.bufferOptions = new DisconnectedBufferOptions();
		this.bufferOptions.setBufferEnabled(true);
		this.bufferOptions.setPersistBuffer(true);
		this.bufferOptions.setBufferSize(offlineBufferSize);
		// The persistence enforces the cap (and drops the oldest where configured) before
		// Paho buffers.
		this.bufferOptions.setDeleteOldestMessages(true);
	}

	@Override
	public SessionClientManagerSupport<?> sessionSupport() {
		return this.support;
	}

	@Override
	public void start() {
		this.shortConnections.reset();
		this.support.start();
	}

	@Override
	public void stop() {
		this.support.stop();
	}

	/**
	 * Logs the loss at WARN, once per cause, with the broker URL: the client reconnects
	 * and stores what is published meanwhile, so a lost connection is no error of the
	 * application's. Connections that end within seconds of their connect, several times
	 * in a row, may be another client with the same client id (see
	 * {@link ShortConnections}): that is reported at ERROR, and the client keeps
	 * reconnecting, since MQTT 3.1.1 cannot tell it from a network that drops
	 * connections.
	 */
	@Override
	public void connectionLost(Throwable cause) {
		if (this.shortConnections.lost()) {
			this.support.connectionFailures().sessionPossiblyTakenOver(ShortConnections.describe());
		}
		String url = (getClient() instanceof MqttAsyncClient client) ? client.getCurrentServerURI() : null;
		this.support.connectionFailures().connectionLost(url, cause, ConnectReportingMqttv3Client.reasonCode(cause));
	}

	/** The calls the shared lifecycle makes on this manager's MQTT 3.1.1 client. */
	private final class Client implements SessionClientManagerSupport.PahoClient<MqttAsyncClient> {

		@Override
		public @Nullable MqttAsyncClient current() {
			return (getClient() instanceof MqttAsyncClient client) ? client : null;
		}

		@Override
		public void set(@Nullable MqttAsyncClient client) {
			setClient(client);
		}

		@Override
		public MqttAsyncClient create() throws MqttException {
			ConnectionFailures failures = SessionMqttv3ClientManager.this.support.connectionFailures();
			MqttAsyncClient client = new ConnectReportingMqttv3Client(getUrl(), getClientId(),
					SessionMqttv3ClientManager.this.persistence, failures);
			client.setManualAcks(isManualAcks());
			client.setCallback(new GatedCallback());
			client.setBufferOpts(SessionMqttv3ClientManager.this.bufferOptions);
			SessionMqttv3ClientManager.this.persistence.setClient(client, getConnectionInfo().getMaxInflight());
			return client;
		}

		@Override
		public boolean connect(MqttAsyncClient client) throws MqttException {
			IMqttToken token = client.connect(getConnectionInfo());
			token.waitForCompletion(getCompletionTimeout());
			return token.getSessionPresent();
		}

		@Override
		public boolean isConnected(MqttAsyncClient client) {
			return client.isConnected();
		}

		@Override
		public void reconnect(MqttAsyncClient client) throws MqttException {
			client.reconnect();
		}

		@Override
		public void stopReconnectCycle(MqttAsyncClient client) {
			MqttUtils.stopClientReconnectCycle(client);
		}

		@Override
		public void disconnect(MqttAsyncClient client) throws MqttException {
			client.disconnect(getQuiescentTimeout())
				.waitForCompletion(getQuiescentTimeout() + getDisconnectCompletionTimeout());
		}

		@Override
		public void close(MqttAsyncClient client) throws MqttException {
			client.close();
		}

		@Override
		public void closeForcibly(MqttAsyncClient client) throws MqttException {
			client.disconnectForcibly(0, 0, false);
			client.close();
		}

		@Override
		public boolean cleanStart() {
			return getConnectionInfo().isCleanSession();
		}

		@Override
		public boolean automaticReconnect() {
			return getConnectionInfo().isAutomaticReconnect();
		}

		@Override
		public void publish(MqttAsyncClient client, PendingMessage message) throws MqttException {
			client.publish(message.topic(), Mqttv3OutboxMessages.message(message));
		}

		@Override
		public void publishConnectionFailed(Exception failure) {
			getApplicationEventPublisher()
				.publishEvent(new MqttConnectionFailedEvent(SessionMqttv3ClientManager.this, failure));
		}

	}

	/**
	 * The client's callback: this manager's, with arriving messages held until the
	 * inbound adapter is ready.
	 */
	private final class GatedCallback implements MqttCallbackExtended {

		@Override
		public void connectionLost(Throwable cause) {
			SessionMqttv3ClientManager.this.connectionLost(cause);
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			SessionMqttv3ClientManager.this.support.messageArriving(topic);
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
			SessionMqttv3ClientManager.this.shortConnections.connected();
			SessionMqttv3ClientManager.this.connectComplete(reconnect, serverURI);
		}

	}

}
