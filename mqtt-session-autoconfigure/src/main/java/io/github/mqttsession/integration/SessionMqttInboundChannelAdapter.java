package io.github.mqttsession.integration;

import java.util.List;

import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.inbound.MqttPahoMessageDrivenChannelAdapter;

/**
 * The MQTT 3.1.1 inbound adapter of a durable session: it unsubscribes topics that were
 * configured before and no longer are, and opens the client's {@link InboundGate} once it
 * has registered, so that messages the broker held for the session reach it instead of
 * being acknowledged unseen. It subscribes for each connect once it has its client,
 * whether the connect completes before its start or after (see
 * {@link ConnectBeforeStart}). What it shares with the MQTT 5 adapter is written once in
 * {@link SessionInboundSupport}.
 */
public class SessionMqttInboundChannelAdapter extends MqttPahoMessageDrivenChannelAdapter {

	private final ClientManager<IMqttAsyncClient, MqttConnectOptions> clientManager;

	private final SessionInboundSupport support;

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
		this.support = new SessionInboundSupport(clientManager, staleTopics, this::inboundClient,
				super::connectComplete);
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
