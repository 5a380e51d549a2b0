package io.github.mqttsession.integration;

import io.github.mqttsession.persistence.PublishTimeoutException;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.outbound.MqttPahoMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;

/**
 * The MQTT 3.1.1 outbound handler of a durable session: a publish waits for room in the
 * client's in-flight window (up to {@code mqtt.outbound.send-timeout}) instead of
 * failing, and while offline, a publish the cap on pending messages would reject fails
 * before Paho takes the message and a packet id for it.
 */
public class SessionMqttMessageHandler extends MqttPahoMessageHandler {

	private final SessionClientManager sessionClientManager;

	/**
	 * Creates a handler on a shared client manager.
	 * @param clientManager the client manager
	 */
	public <M extends ClientManager<IMqttAsyncClient, MqttConnectOptions> & SessionClientManager> SessionMqttMessageHandler(
			M clientManager) {
		super(clientManager);
		this.sessionClientManager = clientManager;
	}

	/**
	 * Checks the message's topic, QoS and retained headers before Spring Integration
	 * converts it for Paho, so that a bad value fails, naming the header, before anything
	 * is stored.
	 * @param message the message sent to the outbound channel
	 */
	@Override
	protected void handleMessageInternal(Message<?> message) {
		OutboundMessageCheck.requireValidHeaders(message, getDefaultTopic());
		super.handleMessageInternal(message);
	}

	@Override
	protected void publish(String topic, Object mqttMessage, Message<?> message) {
		IMqttAsyncClient client = getClientManager().getClient();
		if (client != null && !client.isConnected()) {
			try {
				this.sessionClientManager.checkRoomForOfflineMessage(topic);
			}
			catch (RuntimeException ex) {
				throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]",
						ex);
			}
		}
		try {
			this.sessionClientManager.publishDurably(() -> {
				super.publish(topic, mqttMessage, message);
				return null;
			});
		}
		catch (PublishTimeoutException ex) {
			throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]", ex);
		}
	}

}
