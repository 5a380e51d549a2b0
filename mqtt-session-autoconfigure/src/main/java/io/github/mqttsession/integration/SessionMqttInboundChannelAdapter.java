package io.github.mqttsession.integration;

import java.util.List;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;

/**
 * The MQTT 3.1.1 inbound adapter of a durable session: it unsubscribes topics that were configured before and no
 * longer are, and opens the client's {@link InboundGate} once it has registered, so that messages the broker held
 * for the session reach it instead of being acknowledged unseen. It subscribes for each connect once it has its
 * client, whether the connect completes before its start or after (see {@link ConnectBeforeStart}).
 */
public class SessionMqttInboundChannelAdapter extends MqttPahoMessageDrivenChannelAdapter {

	private final SessionClientManager sessionClientManager;

	private final ClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager;

	private final StaleTopics staleTopics;

	private final ConnectBeforeStart connectBeforeStart = new ConnectBeforeStart();

	/**
	 * Creates an adapter.
	 * @param clientManager the shared client manager
	 * @param staleTopics topics to unsubscribe once connected
	 * @param topics the topics to subscribe
	 */
	public <M extends ClientManager<IMqttAsyncClient, MqttConnectOptions> & SessionClientManager> SessionMqttInboundChannelAdapter(
			M clientManager, List<String> staleTopics, String... topics) {
		super(clientManager, topics);
		this.clientManager = clientManager;
		this.sessionClientManager = clientManager;
		this.staleTopics = new StaleTopics(staleTopics);
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
