package io.github.mqttsession.integration;

import java.util.List;

import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;

/**
 * The MQTT 5 counterpart of {@link SessionMqttInboundChannelAdapter}. Its subscriptions
 * ask the broker not to send retained messages again for a subscription that already
 * exists (retain handling 1), so resubscribing a stored subscription after a restart
 * replays nothing.
 */
public class SessionMqttv5InboundChannelAdapter extends Mqttv5PahoMessageDrivenChannelAdapter {

	private final ClientManager<IMqttAsyncClient, MqttConnectionOptions> clientManager;

	private final SessionInboundSupport support;

	/**
	 * Creates an adapter.
	 * @param clientManager the shared client manager
	 * @param staleTopics topics to unsubscribe once connected
	 * @param subscriptions the subscriptions
	 */
	public <M extends ClientManager<IMqttAsyncClient, MqttConnectionOptions> & SessionClientManager> SessionMqttv5InboundChannelAdapter(
			M clientManager, List<String> staleTopics, MqttSubscription... subscriptions) {
		super(clientManager, subscriptions);
		this.clientManager = clientManager;
		this.support = new SessionInboundSupport(clientManager, staleTopics, this::inboundClient,
				super::connectComplete);
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
