package io.github.mqttsession.integration;

import java.util.List;

import org.eclipse.paho.mqttv5.client.IMqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.inbound.Mqttv5PahoMessageDrivenChannelAdapter;

/**
 * The MQTT 5 counterpart of {@link SessionMqttInboundChannelAdapter}. Its subscriptions ask the broker not to
 * send retained messages again for a subscription that already exists (retain handling 1), so resubscribing a
 * stored subscription after a restart replays nothing.
 */
public class SessionMqttv5InboundChannelAdapter extends Mqttv5PahoMessageDrivenChannelAdapter {

	private final SessionClientManager sessionClientManager;

	private final ClientManager<IMqttAsyncClient, MqttConnectionOptions> clientManager;

	private final StaleTopics staleTopics;

	private final ConnectBeforeStart connectBeforeStart = new ConnectBeforeStart();

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
		this.sessionClientManager = clientManager;
		this.staleTopics = new StaleTopics(staleTopics);
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
		unsubscribeStaleTopics();
		super.doStart();
		// From here messages reach this adapter through the client manager's default handler, subscribed or not
		this.sessionClientManager.getInboundGate().open();
		if (this.connectBeforeStart.started()) {
			subscribeAfterDrain(false, getUrl());
		}
	}

	@Override
	protected void doStop() {
		this.connectBeforeStart.stopped();
		super.doStop();
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		if (this.connectBeforeStart.subscribeNow()) {
			subscribeAfterDrain(reconnect, serverURI);
		}
	}

	private void subscribeAfterDrain(boolean reconnect, String serverURI) {
		IMqttAsyncClient client = this.clientManager.getClient();
		if (client == null) {
			// The client manager has stopped; it connects again when it starts, and that connect subscribes
			return;
		}
		SubscribeAfterDrain.run(this.sessionClientManager.getTaskScheduler(), getClientId(),
				client::getBufferedMessageCount, client::isConnected, () -> {
			// Checked again: the adapter may have stopped while the offline buffer drained
			if (this.connectBeforeStart.subscribeNow()) {
				unsubscribeStaleTopics();
				super.connectComplete(reconnect, serverURI);
			}
		});
	}

	private void unsubscribeStaleTopics() {
		IMqttAsyncClient client = this.clientManager.getClient();
		this.staleTopics.unsubscribeIfConnected(client != null && client.isConnected(),
				(topics) -> client.unsubscribe(topics).waitForCompletion(getCompletionTimeout()));
	}

}
