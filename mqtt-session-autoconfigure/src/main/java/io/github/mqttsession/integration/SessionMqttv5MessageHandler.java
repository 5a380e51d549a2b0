package io.github.mqttsession.integration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.mqttsession.observation.MqttPublishObservationContext;
import io.github.mqttsession.paho.Mqttv5OutboxMessages;
import io.github.mqttsession.observation.MqttPublishObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.outbound.Mqttv5PahoMessageHandler;
import org.springframework.integration.handler.MessageProcessor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.util.Assert;

/**
 * The MQTT 5 outbound handler of a durable session. Spring Integration's own handler
 * tries to connect the client itself when it is not connected, and fails the send when
 * that fails; this one hands every message to the client, which buffers it durably while
 * offline and sends it after reconnecting, as the MQTT 3.1.1 handler does. With an
 * {@link #setObservationRegistry(ObservationRegistry) observation registry}, each publish
 * is observed, and the trace context travels to the subscriber in user properties. With
 * {@linkplain #setTransactionalSends transactional sends}, a send inside a transaction on
 * the session store's DataSource is published after its commit.
 */
public class SessionMqttv5MessageHandler extends Mqttv5PahoMessageHandler {

	private final SessionClientManager sessionClientManager;

	/**
	 * Spring Integration's processor that reads the topic header, until a topic
	 * expression replaces it.
	 */
	private final MessageProcessor<String> headerTopic;

	private final OutboundObservation observation = new OutboundObservation();

	private volatile @Nullable TransactionalSends transactionalSends;

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
	public SessionMqttv5MessageHandler(
			SessionMqttClientManager<IMqttAsyncClient, MqttConnectionOptions> clientManager) {
		super(clientManager);
		this.headerTopic = getTopicProcessor();
		this.sessionClientManager = clientManager;
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
		if (this.observation.isNoop()) {
			handle(message);
			return;
		}
		this.observation.observe(message, this.sessionClientManager.getClientId(), getDefaultTopic(),
				getTopicProcessor() == this.headerTopic, () -> handle(message));
	}

	private void handle(Message<?> message) {
		OutboundMessageCheck.requireValidHeaders(message, getDefaultTopic(), getTopicProcessor() == this.headerTopic);
		OutboundMessageCheck.requireValidMqtt5Headers(message);
		super.handleMessageInternal(message);
	}

	/**
	 * Makes sends inside a transaction on the session store's DataSource follow that
	 * transaction ({@code mqtt.outbound.transactional}).
	 * @param transactionalSends the transactional sends of the client; absent to publish
	 * every send at once
	 */
	public void setTransactionalSends(@Nullable TransactionalSends transactionalSends) {
		this.transactionalSends = transactionalSends;
	}

	/**
	 * Observes each publish in this registry, from the send reaching the handler until
	 * the message is durable or acknowledged; a tracer's trace context travels with the
	 * message as user properties.
	 * @param registry the registry; {@link ObservationRegistry#NOOP} (the default)
	 * observes nothing
	 */
	public void setObservationRegistry(ObservationRegistry registry) {
		this.observation.setRegistry(registry);
	}

	/**
	 * Names and tags the publish observations with this convention instead of the default
	 * one.
	 * @param convention the convention, none for the default
	 */
	public void setPublishObservationConvention(@Nullable MqttPublishObservationConvention convention) {
		this.observation.setConvention(convention);
	}

	@Override
	protected void publish(String topic, Object mqttMessage, Message<?> message) {
		Assert.isInstanceOf(MqttMessage.class, mqttMessage, "The 'mqttMessage' must be an instance of 'MqttMessage'");
		MqttPublishObservationContext observed = this.observation.resolved(topic, ((MqttMessage) mqttMessage).getQos());
		if (getTopicProcessor() != this.headerTopic) {
			OutboundMessageCheck.requireValidExpressionTopic(topic);
		}
		try {
			((SessionClientManager) getClientManager()).requireSessionLease();
		}
		catch (RuntimeException ex) {
			throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]", ex);
		}
		IMqttAsyncClient client = getClientManager().getClient();
		Assert.state(client != null, "The MQTT client is not started");
		try {
			OutboundMessageCheck.requireValidProperties(((MqttMessage) mqttMessage).getProperties());
			if (observed != null) {
				propagate(observed.getPropagationFields(), (MqttMessage) mqttMessage);
			}
			TransactionalSends transactional = this.transactionalSends;
			if (transactional != null && transactional.joinsTransaction()) {
				transactional.send(topic,
						(number) -> Mqttv5OutboxMessages.of(topic, (MqttMessage) mqttMessage, number));
				return;
			}
			if (!client.isConnected()) {
				this.sessionClientManager.checkRoomForOfflineMessage(topic);
			}
			IMqttToken token = this.sessionClientManager
				.publishDurably(() -> client.publish(topic, (MqttMessage) mqttMessage, null, this.deliveryListener));
			if (!isAsync()) {
				token.waitForCompletion(getCompletionTimeout());
			}
			else {
				messageSentEvent(message, topic, token.getMessageId());
			}
		}
		catch (Exception ex) {
			throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]", ex);
		}
	}

	/**
	 * Writes the trace context into the message's user properties, replacing any of the
	 * same name a header mapped there, so that the subscriber continues this trace.
	 */
	private static void propagate(Map<String, String> fields, MqttMessage message) {
		if (fields.isEmpty()) {
			return;
		}
		MqttProperties properties = message.getProperties();
		if (properties == null) {
			properties = new MqttProperties();
			message.setProperties(properties);
		}
		List<UserProperty> userProperties = new ArrayList<>();
		for (UserProperty property : properties.getUserProperties()) {
			if (!fields.containsKey(property.getKey())) {
				userProperties.add(property);
			}
		}
		fields.forEach((key, value) -> userProperties.add(new UserProperty(key, value)));
		properties.setUserProperties(userProperties);
	}

}
