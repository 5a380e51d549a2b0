package io.github.mqttsession.integration;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.github.mqttsession.observation.MqttReceiveObservationConvention;
import io.github.mqttsession.paho.Mqttv5OutboxMessages;
import io.github.mqttsession.store.PendingMessage;
import io.micrometer.observation.ObservationRegistry;
import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.eclipse.paho.mqttv5.common.util.MqttTopicValidator;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;
import org.springframework.integration.support.DefaultErrorMessageStrategy;
import org.springframework.integration.support.ErrorMessageStrategy;
import org.springframework.messaging.Message;

/**
 * The MQTT 5 counterpart of {@link SessionMqttInboundChannelAdapter}. Its subscriptions
 * ask the broker not to send retained messages again for a subscription that already
 * exists (retain handling 1), so resubscribing a stored subscription after a restart
 * replays nothing. With an {@link #setObservationRegistry(ObservationRegistry)
 * observation registry}, the handling of each arriving message is observed, continuing
 * the trace whose context the publisher wrote into the message's user properties.
 */
public class SessionMqttv5InboundChannelAdapter extends Mqttv5PahoMessageDrivenChannelAdapter {

	private final SessionMqttClientManager<IMqttAsyncClient, MqttConnectionOptions> clientManager;

	private final SessionInboundSupport support;

	private final InboundObservation observation;

	private final ThreadLocal<MqttMessage> arriving = new ThreadLocal<>();

	private volatile @Nullable TransactionalInbound transactional;

	/**
	 * Creates an adapter.
	 * @param clientManager the shared client manager
	 * @param staleTopics topics to unsubscribe once connected
	 * @param subscriptions the subscriptions
	 */
	public SessionMqttv5InboundChannelAdapter(
			SessionMqttClientManager<IMqttAsyncClient, MqttConnectionOptions> clientManager, List<String> staleTopics,
			MqttSubscription... subscriptions) {
		super(clientManager, subscriptions);
		this.clientManager = clientManager;
		this.support = new SessionInboundSupport(clientManager, staleTopics, this::inboundClient,
				super::connectComplete);
		this.observation = new InboundObservation(MqttTopicValidator::isMatched, getTopic());
		super.setErrorMessageStrategy(this.observation.recordingErrors(new DefaultErrorMessageStrategy()));
	}

	/**
	 * A subscription that replays retained messages only when it is new at the broker.
	 * @param topicFilter the topic filter
	 * @param qos the QoS
	 * @return the subscription
	 */
	public static MqttSubscription subscription(String topicFilter, int qos) {
		MqttSubscription subscription = new MqttSubscription(topicFilter, qos);
		subscription.setRetainHandling(1);
		return subscription;
	}

	/**
	 * Observes the handling of each arriving message in this registry, from its arrival
	 * until the flow returned.
	 * @param registry the registry; {@link ObservationRegistry#NOOP} (the default)
	 * observes nothing
	 */
	public void setObservationRegistry(ObservationRegistry registry) {
		this.observation.setRegistry(registry);
	}

	/**
	 * Names and tags the receive observations with this convention instead of the default
	 * one.
	 * @param convention the convention, none for the default
	 */
	public void setReceiveObservationConvention(@Nullable MqttReceiveObservationConvention convention) {
		this.observation.setConvention(convention);
	}

	/**
	 * Uses this strategy for the message sent to the error channel, through the receive
	 * observation, which it marks failed.
	 * @param errorMessageStrategy the strategy
	 */
	@Override
	public void setErrorMessageStrategy(ErrorMessageStrategy errorMessageStrategy) {
		super.setErrorMessageStrategy(this.observation.recordingErrors(errorMessageStrategy));
	}

	/**
	 * Runs the inbound flow in the application's transaction
	 * ({@code mqtt.inbound.transactional}).
	 * @param transactional the client's transactional inbound flow; absent to run the
	 * flow outside transactions
	 */
	public void setTransactionalInbound(@Nullable TransactionalInbound transactional) {
		this.transactional = transactional;
	}

	@Override
	public void addTopic(String topic, int qos) {
		try {
			super.addTopic(topic, qos);
		}
		finally {
			this.observation.setTopicFilters(getTopic());
		}
	}

	@Override
	public void removeTopic(String... topic) {
		try {
			super.removeTopic(topic);
		}
		finally {
			this.observation.setTopicFilters(getTopic());
		}
	}

	/**
	 * Sends an arriving message to the flow, inside a receive observation when observed.
	 * @param topic the message's topic
	 * @param mqttMessage the message
	 */
	@Override
	public void messageArrived(String topic, MqttMessage mqttMessage) {
		if (this.transactional == null) {
			arrived(topic, mqttMessage);
			return;
		}
		// Read by sendMessage, which Spring Integration calls on this thread
		this.arriving.set(mqttMessage);
		try {
			arrived(topic, mqttMessage);
		}
		finally {
			this.arriving.remove();
		}
	}

	private void arrived(String topic, MqttMessage mqttMessage) {
		if (this.observation.isNoop()) {
			super.messageArrived(topic, mqttMessage);
			return;
		}
		this.observation.observe(this.clientManager.getClientId(), topic, mqttMessage.getQos(),
				userProperties(mqttMessage), () -> super.messageArrived(topic, mqttMessage));
	}

	/**
	 * Sends a message to the flow; in the application's transaction when the flow is
	 * transactional, where a failure of the flow reaches the error channel after the
	 * rollback.
	 * @param message the message
	 */
	@Override
	protected void sendMessage(Message<?> message) {
		TransactionalInbound transactional = this.transactional;
		MqttMessage mqttMessage = this.arriving.get();
		if (transactional == null || mqttMessage == null) {
			super.sendMessage(message);
			return;
		}
		// Paho 5 delivers a message as a new object on the payload array it stored
		transactional.send(mqttMessage.getPayload(), mqttMessage.getId(), mqttMessage.getQos(),
				() -> getMessagingTemplate().send(getRequiredOutputChannel(), message),
				(ex) -> sendErrorMessageIfNecessary(message, ex));
	}

	@Override
	protected void doStart() {
		this.support.starting();
		super.doStart();
		this.support.started(getUrl());
		redeliverLater();
	}

	@Override
	protected void doStop() {
		this.support.stopping();
		super.doStop();
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		this.support.connectComplete(reconnect, serverURI);
		redeliverLater();
	}

	/**
	 * Hands the received messages that no transactional flow handled, and that the MQTT 5
	 * client will not deliver (it completes a release at once, and never delivers a
	 * restored message), to the flow, on a thread of the client manager's scheduler.
	 */
	private void redeliverLater() {
		TransactionalInbound transactional = this.transactional;
		if (transactional != null) {
			this.clientManager.getTaskScheduler()
				.schedule(() -> transactional.redeliver(this::redeliver), Instant.now());
		}
	}

	private void redeliver(PendingMessage record, Consumer<Object> track) {
		MqttMessage message;
		try {
			message = Mqttv5OutboxMessages.message(record);
		}
		catch (MqttException ex) {
			throw new IllegalStateException("Could not read the MQTT 5 properties of " + record, ex);
		}
		if (record.state() == PendingMessage.State.INBOUND_PUBLISH) {
			message.setId(record.packetId());
		}
		track.accept(message.getPayload());
		messageArrived(record.topic(), message);
	}

	private SessionInboundSupport.@Nullable InboundClient inboundClient() {
		IMqttAsyncClient client = this.clientManager.getClient();
		return (client != null) ? new SessionInboundSupport.InboundClient(client::getBufferedMessageCount,
				client::isConnected, (topics) -> client.unsubscribe(topics).waitForCompletion(getCompletionTimeout()))
				: null;
	}

	/**
	 * The message's user properties by name, where the publisher's trace context travels.
	 */
	private static Map<String, String> userProperties(MqttMessage message) {
		MqttProperties properties = message.getProperties();
		if (properties == null || properties.getUserProperties().isEmpty()) {
			return Map.of();
		}
		Map<String, String> byName = new HashMap<>();
		for (UserProperty property : properties.getUserProperties()) {
			byName.put(property.getKey(), property.getValue());
		}
		return byName;
	}

}
