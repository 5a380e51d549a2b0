package io.github.mqttsession.integration.crash;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A plain Paho client with a session of its own ({@code cleanSession=false}), connected
 * straight to the broker, that records every payload it receives on a topic, duplicates
 * included.
 */
final class RecordingSubscriber implements AutoCloseable {

	private final MqttClient client;

	private final List<String> received = new ArrayList<>();

	private final List<String> deliveries = new ArrayList<>();

	RecordingSubscriber(String brokerUrl, String topic, int qos) throws MqttException {
		this.client = new MqttClient(brokerUrl, "crash-subscriber-" + UUID.randomUUID(), new MemoryPersistence());
		MqttConnectOptions options = new MqttConnectOptions();
		options.setCleanSession(false);
		options.setConnectionTimeout(5);
		options.setAutomaticReconnect(true);
		this.client.connect(options);
		this.client.subscribe(topic, qos, (arrivedOn, message) -> record(message.getPayload(),
				"#" + message.getId() + (message.isDuplicate() ? " dup" : "")));
	}

	private synchronized void record(byte[] payload, String delivery) {
		this.received.add(new String(payload, StandardCharsets.UTF_8));
		this.deliveries.add(delivery);
	}

	/**
	 * How each arrival of a payload was delivered: the broker's packet id and whether it
	 * was flagged a duplicate.
	 * @param payload the payload
	 * @return one entry per arrival, such as {@code #12 dup}
	 */
	synchronized List<String> deliveriesOf(String payload) {
		List<String> found = new ArrayList<>();
		for (int i = 0; i < this.received.size(); i++) {
			if (this.received.get(i).equals(payload)) {
				found.add("arrival " + (i + 1) + " " + this.deliveries.get(i));
			}
		}
		return found;
	}

	/**
	 * Every payload received so far, in arrival order.
	 * @return a copy
	 */
	synchronized List<String> received() {
		return List.copyOf(this.received);
	}

	/**
	 * Whether a payload has arrived.
	 * @param payload the payload
	 * @return {@code true} once it has
	 */
	synchronized boolean hasReceived(String payload) {
		return this.received.contains(payload);
	}

	/**
	 * The sequence numbers received so far.
	 * @return the distinct numbers, ascending
	 */
	synchronized TreeSet<Integer> receivedNumbers() {
		TreeSet<Integer> numbers = new TreeSet<>();
		for (String payload : this.received) {
			if (isSequenceNumber(payload)) {
				numbers.add(Integer.valueOf(payload));
			}
		}
		return numbers;
	}

	/**
	 * The numbers among some that have not arrived.
	 * @param expected the numbers expected, such as those whose send returned
	 * @return the numbers missing, ascending
	 */
	synchronized NavigableSet<Integer> missing(Collection<Integer> expected) {
		NavigableSet<Integer> missing = new TreeSet<>(expected);
		missing.removeAll(receivedNumbers());
		return missing;
	}

	/**
	 * The payloads received that are neither a sequence number nor the end marker: a
	 * corrupted message.
	 * @return the payloads
	 */
	synchronized List<String> unexpected() {
		return this.received.stream()
			.filter((payload) -> !isSequenceNumber(payload) && !payload.equals(CrashingPublisher.END))
			.toList();
	}

	private static boolean isSequenceNumber(String payload) {
		return payload.matches("[1-9][0-9]{0,8}");
	}

	/**
	 * The payloads received more than once.
	 * @return each such payload with how often it arrived
	 */
	synchronized Map<String, Integer> duplicates() {
		Map<String, Integer> counts = new TreeMap<>();
		for (String payload : this.received) {
			counts.merge(payload, 1, Integer::sum);
		}
		counts.values().removeIf((count) -> count == 1);
		return counts;
	}

	@Override
	public void close() throws MqttException {
		try {
			this.client.disconnectForcibly(0, 1000);
		}
		finally {
			this.client.close();
		}
	}

}
