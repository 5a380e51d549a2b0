package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * A plain Paho client, connected straight to the broker, that counts how often each
 * payload arrives on a topic: for many messages, where {@link Subscriber}'s list would be
 * slow. On MQTT 5 it takes up to 65,535 messages in flight, so that a broker that queues
 * at most 1,000 messages for a client (HiveMQ's default) never has to drop one while this
 * subscriber acknowledges the ones before; MQTT 3.1.1 has no such setting.
 */
final class CountingSubscriber implements AutoCloseable {

	private final AutoCloseable client;

	private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

	/**
	 * Per sender, the sequence number of the last payload {@code <sender>-<sequence>}
	 * that arrived.
	 */
	private final Map<String, Integer> lastSequence = new ConcurrentHashMap<>();

	private final AtomicInteger outOfOrder = new AtomicInteger();

	private CountingSubscriber(AutoCloseable client) {
		this.client = client;
	}

	/**
	 * Connects an MQTT 5 subscriber.
	 * @param brokerUrl the broker
	 * @param topicFilter what to subscribe to
	 * @param qos at which QoS
	 * @return the subscriber
	 * @throws Exception when it cannot connect or subscribe
	 */
	static CountingSubscriber mqtt5(String brokerUrl, String topicFilter, int qos) throws Exception {
		org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(brokerUrl,
				"counting-subscriber-" + System.nanoTime(),
				new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
		CountingSubscriber subscriber = new CountingSubscriber(() -> {
			client.disconnectForcibly(0, 1000, false);
			client.close();
		});
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setConnectionTimeout(5);
		options.setReceiveMaximum(65_535);
		client.connect(options);
		client.subscribe(
				new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
						new org.eclipse.paho.mqttv5.common.MqttSubscription(topicFilter, qos) },
				new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
						(topic, message) -> subscriber.count(message.getPayload()) });
		return subscriber;
	}

	/**
	 * Connects an MQTT 3.1.1 subscriber.
	 * @param brokerUrl the broker
	 * @param topicFilter what to subscribe to
	 * @param qos at which QoS
	 * @return the subscriber
	 * @throws Exception when it cannot connect or subscribe
	 */
	static CountingSubscriber mqtt311(String brokerUrl, String topicFilter, int qos) throws Exception {
		AtomicReference<MqttClient> client = new AtomicReference<>();
		CountingSubscriber subscriber = new CountingSubscriber(() -> {
			client.get().disconnectForcibly(0, 1000);
			client.get().close();
		});
		client.set(Subscriber.connectAndSubscribe(brokerUrl, "counting-subscriber-", topicFilter, qos,
				(topic, message) -> subscriber.count(message.getPayload())));
		return subscriber;
	}

	private void count(byte[] bytes) {
		String payload = new String(bytes, StandardCharsets.UTF_8);
		this.counts.computeIfAbsent(payload, (key) -> new AtomicInteger()).incrementAndGet();
		int dash = payload.lastIndexOf('-');
		if (dash > 0) {
			try {
				int sequence = Integer.parseInt(payload.substring(dash + 1));
				Integer last = this.lastSequence.put(payload.substring(0, dash), sequence);
				if (last != null && last > sequence) {
					this.outOfOrder.incrementAndGet();
				}
			}
			catch (NumberFormatException ex) {
				// Not a numbered payload: nothing to order
			}
		}
	}

	/**
	 * How many numbered payloads {@code <sender>-<sequence>} arrived after a later one of
	 * the same sender.
	 * @return the count
	 */
	int outOfOrder() {
		return this.outOfOrder.get();
	}

	/**
	 * How many different payloads arrived.
	 * @return the count
	 */
	int distinct() {
		return this.counts.size();
	}

	/**
	 * The payloads that arrived more than once, with how often.
	 * @return the duplicates
	 */
	Map<String, Integer> duplicates() {
		Map<String, Integer> duplicates = new ConcurrentHashMap<>();
		this.counts.forEach((payload, count) -> {
			if (count.get() > 1) {
				duplicates.put(payload, count.get());
			}
		});
		return duplicates;
	}

	/**
	 * Whether a payload arrived.
	 * @param payload the payload
	 * @return {@code true} when it arrived at least once
	 */
	boolean received(String payload) {
		return this.counts.containsKey(payload);
	}

	@Override
	public void close() throws Exception {
		this.client.close();
	}

}
