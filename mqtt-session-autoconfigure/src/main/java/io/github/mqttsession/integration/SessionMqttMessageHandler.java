package io.github.mqttsession.integration;

import io.github.mqttsession.observation.MqttPublishObservationConvention;
import io.github.mqttsession.paho.Mqttv3OutboxMessages;
import io.github.mqttsession.persistence.PublishTimeoutException;
import io.micrometer.observation.ObservationRegistry;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.outbound.MqttPahoMessageHandler;
import org.springframework.integration.handler.MessageProcessor;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandlingException;

/**
 * The MQTT 3.1.1 outbound handler of a durable session: a publish waits for room in the
 * client's in-flight window (up to {@code mqtt.outbound.send-timeout}) instead of
 * failing, and while offline, a publish the cap on pending messages would reject fails
 * before Paho takes the message and a packet id for it. With an
 * {@link #setObservationRegistry(ObservationRegistry) observation registry}, each publish
 * is observed (MQTT 3.1.1 carries no trace context to the subscriber). With
 * {@linkplain #setTransactionalSends transactional sends}, a send inside a transaction on
 * the session store's DataSource is published after its commit.
 */
public class SessionMqttMessageHandler extends MqttPahoMessageHandler {

	private final SessionClientManager sessionClientManager;

	/**
	 * Spring Integration's processor that reads the topic header, until a topic
	 * expression replaces it.
	 */
	private final MessageProcessor<String> headerTopic;

	private final OutboundObservation observation = new OutboundObservation();

	private volatile @Nullable TransactionalSends transactionalSends;

	/**
	 * Creates a handler on a shared client manager.
	 * @param clientManager the client manager
	 */
	public SessionMqttMessageHandler(SessionMqttClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager) {
		super(clientManager);
		this.headerTopic = getTopicProcessor();
		this.sessionClientManager = clientManager;
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
	 * the message is durable or acknowledged.
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

	/**
	 * Checks the message's topic, QoS and retained headers before Spring Integration
	 * converts it for Paho, so that a bad value fails, naming the header, before anything
	 * is stored.
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
		super.handleMessageInternal(message);
	}

	@Override
	protected void publish(String topic, Object mqttMessage, Message<?> message) {
		if (mqttMessage instanceof MqttMessage pahoMessage) {
			this.observation.resolved(topic, pahoMessage.getQos());
		}
		if (getTopicProcessor() != this.headerTopic) {
			OutboundMessageCheck.requireValidExpressionTopic(topic);
		}
		TransactionalSends transactional = this.transactionalSends;
		if (transactional != null && mqttMessage instanceof MqttMessage paho) {
			try {
				if (transactional.joinsTransaction()) {
					transactional.send(topic, (number) -> Mqttv3OutboxMessages.of(topic, paho, number));
					return;
				}
			}
			catch (Exception ex) {
				throw new MessageHandlingException(message, "Failed to publish to '" + topic + "' in [" + this + "]",
						ex);
			}
		}
		IMqttAsyncClient client = getClientManager().getClient();
		if (client == null || !client.isConnected()) {
			try {
				this.sessionClientManager.requireSessionLease();
				if (client != null) {
					this.sessionClientManager.checkRoomForOfflineMessage(topic);
				}
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
