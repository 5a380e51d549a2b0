package io.github.mqttsession.integration;

import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * What the MQTT 3.1.1 and MQTT 5 inbound adapters of a durable session share, written
 * once: stale topics are unsubscribed on start and on each connect, the client's
 * {@link InboundGate} opens once the adapter has registered, and each connect is
 * subscribed for once, after the offline buffer is sent and only once the adapter has its
 * client (see {@link ConnectBeforeStart}). The adapters extend different Spring
 * Integration classes, so each holds one of these and hands it its Paho client as an
 * {@link InboundClient}.
 */
final class SessionInboundSupport {

	private final SessionClientManager clientManager;

	private final StaleTopics staleTopics;

	private final ConnectBeforeStart connectBeforeStart = new ConnectBeforeStart();

	private final Supplier<@Nullable InboundClient> client;

	private final Subscribe subscribe;

	/**
	 * Creates the shared part of one inbound adapter.
	 * @param clientManager the shared client manager
	 * @param staleTopics topics to unsubscribe once connected
	 * @param client the adapter's client now, none when the client manager has stopped
	 * @param subscribe Spring Integration's subscribe for a completed connect
	 */
	SessionInboundSupport(SessionClientManager clientManager, List<String> staleTopics,
			Supplier<@Nullable InboundClient> client, Subscribe subscribe) {
		this.clientManager = clientManager;
		this.staleTopics = new StaleTopics(staleTopics);
		this.client = client;
		this.subscribe = subscribe;
	}

	/** Unsubscribes stale topics before the adapter's own start subscribes. */
	void starting() {
		unsubscribeStaleTopics();
	}

	/**
	 * Opens the gate once the adapter has started, and subscribes for a connect reported
	 * during its start.
	 * @param url the adapter's broker URL
	 */
	void started(String url) {
		// From here messages reach the adapter through the client manager's default
		// handler, subscribed or not
		this.clientManager.getInboundGate().open();
		if (this.connectBeforeStart.started()) {
			subscribeAfterDrain(false, url);
		}
	}

	/** Records that the adapter stops: a connect from now on waits for its next start. */
	void stopping() {
		this.connectBeforeStart.stopped();
	}

	/**
	 * Subscribes for a completed connect, or remembers it until the adapter has started.
	 * @param reconnect whether Paho counts it as a reconnect
	 * @param serverURI the broker connected to
	 */
	void connectComplete(boolean reconnect, String serverURI) {
		if (this.connectBeforeStart.subscribeNow()) {
			subscribeAfterDrain(reconnect, serverURI);
		}
	}

	private void subscribeAfterDrain(boolean reconnect, String serverURI) {
		InboundClient current = this.client.get();
		if (current == null) {
			// The client manager has stopped; it connects again when it starts, and that
			// connect subscribes
			return;
		}
		SubscribeAfterDrain.run(this.clientManager.getTaskScheduler(), this.clientManager.getClientId(),
				current.bufferedMessages(), current.connected(), () -> {
					// Checked again: the adapter may have stopped while the offline
					// buffer drained
					if (this.connectBeforeStart.subscribeNow()) {
						unsubscribeStaleTopics();
						this.subscribe.connectComplete(reconnect, serverURI);
					}
				});
	}

	private void unsubscribeStaleTopics() {
		InboundClient current = this.client.get();
		this.staleTopics.unsubscribeIfConnected(current != null && current.connected().getAsBoolean(),
				(topics) -> current.unsubscribe().topics(topics));
	}

	/**
	 * An adapter's Paho client, through the calls that carry no Paho type.
	 *
	 * @param bufferedMessages how many messages its offline buffer holds
	 * @param connected whether it is connected
	 * @param unsubscribe unsubscribes topics and waits for the broker's answer
	 */
	record InboundClient(IntSupplier bufferedMessages, BooleanSupplier connected, StaleTopics.Unsubscribe unsubscribe) {

	}

	/** Spring Integration's subscribe of the adapter for a completed connect. */
	@FunctionalInterface
	interface Subscribe {

		void connectComplete(boolean reconnect, String serverURI);

	}

}
