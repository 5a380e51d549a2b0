package io.github.mqttsession.integration;

import io.github.mqttsession.paho.SessionStoreMqttv5ClientPersistence;
import io.github.mqttsession.paho.Mqttv5OutboxMessages;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.store.PendingMessage;
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
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.Mqttv5ClientManager;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;
import org.springframework.integration.mqtt.support.MqttUtils;
import org.springframework.scheduling.TaskScheduler;

/**
 * The MQTT 5 counterpart of {@link SessionMqttv3ClientManager}: a Spring Integration
 * {@link Mqttv5ClientManager} whose client keeps its session in a
 * {@link SessionStoreMqttv5ClientPersistence}. Its lifecycle is
 * {@link SessionClientManagerSupport}'s; this class adds the calls typed by Paho's MQTT 5
 * API.
 */
public class SessionMqttv5ClientManager extends Mqttv5ClientManager
		implements SessionMqttClientManager<IMqttAsyncClient, MqttConnectionOptions> {

	private final SessionStoreMqttv5ClientPersistence persistence;

	private final DisconnectedBufferOptions bufferOptions;

	private final SessionClientManagerSupport<MqttAsyncClient> support;

	/**
	 * Creates a client manager.
	 * @param connectionOptions the connection options
	 * @param clientId the client id
	 * @param persistence the persistence of the client's session
	 * @param offlineBufferSize how many messages to buffer while offline
	 * @param taskScheduler the scheduler of the client's periodic work: connect attempts
	 * after a failed first connect, and the subscribe that waits for the offline buffer
	 * to be sent
	 */
	public SessionMqttv5ClientManager(MqttConnectionOptions connectionOptions, String clientId,
			SessionStoreMqttv5ClientPersistence persistence, int offlineBufferSize, TaskScheduler taskScheduler) {
		super(connectionOptions, clientId);
		this.persistence = persistence;
		setPersistence(persistence);
		this.support = new SessionClientManagerSupport<>(clientId, persistence, taskScheduler,
				connectionOptions.isAutomaticReconnect(), this.lock, this.logger, new Client());
		this.bufferOptions = new DisconnectedBufferOptions();
		this.bufferOptions.setBufferEnabled(true);
		this.bufferOptions.setPersistBuffer(true);
		this.bufferOptions.setBufferSize(offlineBufferSize);
		this.bufferOptions.setDeleteOldestMessages(true);
	}

	@Override
	public SessionClientManagerSupport<?> sessionSupport() {
		return this.support;
	}

	@Override
	public void start() {
		this.support.start();
	}

	@Override
	public void stop() {
		this.support.stop();
	}

	/**
	 * Logs the loss at WARN, once per cause, with the broker URL and, when the broker
	 * disconnected the client, its reason code and reason string: the client reconnects
	 * and stores what is published meanwhile. A broker that disconnected the client with
	 * reason code 0x8E (Session taken over), because another client connected with the
	 * same client id, is reported at ERROR instead, and the client stops reconnecting.
	 */
	@Override
	public void disconnected(MqttDisconnectResponse response) {
		ConnectionFailures failures = this.support.connectionFailures();
		String url = (getClient() instanceof MqttAsyncClient client) ? client.getCurrentServerURI() : null;
		MqttException exception = response.getException();
		if (exception == null && response.getReturnCode() == MqttReturnCode.RETURN_CODE_SESSION_TAKEN_OVER) {
			String reason = response.getReasonString();
			failures.sessionTakenOver("the broker disconnected it with reason code 142 (Session taken over"
					+ ((reason != null) ? ": " + reason.replaceAll("\\.$", "") : "") + ")");
		}
		else if (exception != null) {
			failures.connectionLost(url, exception, ConnectReportingMqttv5Client.reasonCode(exception));
		}
		else {
			failures.connectionLost(url, "disconnect/" + response.getReturnCode(),
					"the broker disconnected the client with reason code " + response.getReturnCode()
							+ ((response.getReasonString() != null) ? " (" + response.getReasonString() + ")" : ""));
		}
	}

	/** The calls the shared lifecycle makes on this manager's MQTT 5 client. */
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
			ConnectionFailures failures = SessionMqttv5ClientManager.this.support.connectionFailures();
			SessionMqttv5AsyncClient client = new SessionMqttv5AsyncClient(getUrl(), getClientId(),
					SessionMqttv5ClientManager.this.persistence, failures);
			client.setManualAcks(isManualAcks());
			client.setCallback(new GatedCallback(client));
			client.setBufferOpts(SessionMqttv5ClientManager.this.bufferOptions);
			SessionMqttv5ClientManager.this.persistence.setClient(client);
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
			return getConnectionInfo().isCleanStart();
		}

		@Override
		public boolean automaticReconnect() {
			return getConnectionInfo().isAutomaticReconnect();
		}

		@Override
		public void publish(MqttAsyncClient client, PendingMessage message) throws MqttException {
			client.publish(message.topic(), Mqttv5OutboxMessages.message(message));
		}

		@Override
		public void publishConnectionFailed(Exception failure) {
			getApplicationEventPublisher()
				.publishEvent(new MqttConnectionFailedEvent(SessionMqttv5ClientManager.this, failure));
		}

	}

	/**
	 * The client's callback: this manager's, with arriving messages held until the
	 * inbound adapter is ready, and the offline buffer sent after a first connect.
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
			SessionMqttv5ClientManager.this.support.messageArriving(topic);
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
