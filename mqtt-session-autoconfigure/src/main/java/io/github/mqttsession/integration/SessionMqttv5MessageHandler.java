package io.github.mqttsession.integration;

import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.util.Assert;

/**
 * The MQTT 5 outbound handler of a durable session. Spring Integration's own handler
 * tries to connect the client itself when it is not connected, and fails the send when
 * that fails; this one hands every message to the client, which buffers it durably while
 * offline and sends it after reconnecting, as the MQTT 3.1.1 handler does.
 */
public class SessionMqttv5MessageHandler extends Mqttv5PahoMessageHandler {

	private final MqttActionListener deliveryListener = new MqttActionListener() {

		@Override
		public void onSuccess(IMqttToken token) {
			sendDeliveryCompleteEvent(token.getMessageId());
		}

		@Override
		public void onFailure(IMqttToken token, Throwable exception) {
			sendFailedDeliveryEvent(token.getMessageId(), exception);
		}

	};

	/**
	 * Creates a handler on a shared client manager.
	 * @param clientManager the client manager
	 */
	public <M extends ClientManager<IMqttAsyncClient, MqttConnectionOptions> & SessionClientManager> SessionMqttv5MessageHandler(
			M clientManager) {
		super(clientManager);
	}

	/**
	 * Checks the message's topic, QoS, retained, response topic and expiry headers before
	 * Spring Integration converts it for Paho, so that a bad value fails, naming the
	 * header, before anything is stored; the MQTT 5 properties mapped from the headers
	 * are checked before the message is handed to Paho.
	 * @param message the message sent to the outbound channel
	 */
	@Override
	protected void handleMessageInternal(Message<?> message) {
		OutboundMessageCheck.requireValidHeaders(message, getDefaultTopic());
		OutboundMessageCheck.requireValidMqtt5Headers(message);
		super.handleMessageInternal(message);
	}

	@Override
	protected void publish(String topic, Object mqttMessage, Message<?> message) {
		Assert.isInstanceOf(MqttMessage.class, mqttMessage, "The 'mqttMessage' must be an instance of 'MqttMessage'");
		IMqttAsyncClient client = getClientManager().getClient();
		Assert.state(client != null, "The MQTT client is not started");
		try {
			OutboundMessageCheck.requireValidProperties(((MqttMessage) mqttMessage).getProperties());
			if (!client.isConnected()) {
				((SessionClientManager) getClientManager()).checkRoomForOfflineMessage(topic);
			}
			IMqttToken token = ((SessionClientManager) getClientManager())
				.publishDurably(() -> client.publish(topic, (MqttMessage) mqttMessage, null, this.deliveryListener));
			if (!isAsync()) {
				token.waitForCompletion(getCompletionTimeout());
			}
			else {
				messageSentEvent(message, topic, token.getMessageId());
			}
		}
		catch (MqttException | RuntimeException ex) {
			throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]", ex);
		}
	}

}
