package io.github.mqttsession.integration;

import java.util.List;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;

/**
 * The MQTT 3.1.1 inbound adapter of a durable session: it unsubscribes topics that were configured before and no
 * longer are, and opens the client's {@link InboundGate} once it has registered, so that messages the broker held
 * for the session reach it instead of being acknowledged unseen.
 */
public class SessionMqttInboundChannelAdapter extends MqttPahoMessageDrivenChannelAdapter {

	private final SessionClientManager sessionClientManager;

	private final ClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager;

	private final StaleTopics staleTopics;

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
		this.sessionClientManager.getInboundGate().open();
	}

	@Override
	public void connectComplete(boolean reconnect, String serverURI) {
		IMqttAsyncClient client = this.clientManager.getClient();
		if (client == null) {
			subscribeOnConnect(reconnect, serverURI);
			return;
		}
		SubscribeAfterDrain.run(getClientId(), client::getBufferedMessageCount, client::isConnected,
				() -> subscribeOnConnect(reconnect, serverURI));
	}

	private void subscribeOnConnect(boolean reconnect, String serverURI) {
		unsubscribeStaleTopics();
		super.connectComplete(reconnect, serverURI);
	}

	private void unsubscribeStaleTopics() {
		IMqttAsyncClient client = this.clientManager.getClient();
		this.staleTopics.unsubscribeIfConnected(client != null && client.isConnected(),
				(topics) -> client.unsubscribe(topics).waitForCompletion(getCompletionTimeout()));
	}

}
