package io.github.mqttsession.integration;

import java.util.List;
import java.util.Map;

import io.github.mqttsession.observation.MqttReceiveObservationConvention;
import io.micrometer.observation.ObservationRegistry;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttTopic;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;
import org.springframework.integration.support.DefaultErrorMessageStrategy;
import org.springframework.integration.support.ErrorMessageStrategy;
import org.springframework.messaging.Message;

/**
 * The MQTT 3.1.1 inbound adapter of a durable session: it unsubscribes topics that were
 * configured before and no longer are, and opens the client's {@link InboundGate} once it
 * has registered, so that messages the broker held for the session reach it instead of
 * being acknowledged unseen. It subscribes for each connect once it has its client,
 * whether the connect completes before its start or after (see
 * {@link ConnectBeforeStart}). What it shares with the MQTT 5 adapter is written once in
 * {@link SessionInboundSupport}. With an
 * {@link #setObservationRegistry(ObservationRegistry) observation registry}, the handling
 * of each arriving message is observed.
 */
public class SessionMqttInboundChannelAdapter extends MqttPahoMessageDrivenChannelAdapter {

	private final SessionMqttClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager;

	private final SessionInboundSupport support;

	private final InboundObservation observation;

	private final ThreadLocal<MqttMessage> arriving = new ThreadLocal<>();

	private volatile @Nullable TransactionalInbound transactional;

	/**
	 * Creates an adapter.
	 * @param clientManager the shared client manager
	 * @param staleTopics topics to unsubscribe once connected
	 * @param topics the topics to subscribe
	 */
	public SessionMqttInboundChannelAdapter(
			SessionMqttClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager, List<String> staleTopics,
			String... topics) {
		super(clientManager, topics);
		this.clientManager = clientManager;
		this.support = new SessionInboundSupport(clientManager, staleTopics, this::inboundClient,
				super::connectComplete);
		this.observation = new InboundObservation(MqttTopic::isMatched, getTopic());
		super.setErrorMessageStrategy(this.observation.recordingErrors(new DefaultErrorMessageStrategy()));
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
		this.observation.observe(this.clientManager.getClientId(), topic, mqttMessage.getQos(), Map.of(),
				() -> super.messageArrived(topic, mqttMessage));
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
		transactional.send(mqttMessage, mqttMessage.getId(), mqttMessage.getQos(),
				() -> getMessagingTemplate().send(getRequiredOutputChannel(), message),
				(ex) -> sendErrorMessageIfNecessary(message, ex));
	}

	@Override
	protected void doStart() {
		this.support.starting();
		super.doStart();
		this.support.started(getUrl());
	}

	@Override
	protected void doStop() {
		this.support.stopping();
		super.doStop();
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		this.support.connectComplete(reconnect, serverURI);
	}

	private SessionInboundSupport.@Nullable InboundClient inboundClient() {
		IMqttAsyncClient client = this.clientManager.getClient();
		return (client != null) ? new SessionInboundSupport.InboundClient(client::getBufferedMessageCount,
				client::isConnected, (topics) -> client.unsubscribe(topics).waitForCompletion(getCompletionTimeout()))
				: null;
	}

}
