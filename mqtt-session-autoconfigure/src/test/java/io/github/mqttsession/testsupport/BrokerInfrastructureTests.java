package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.core.ConditionFactory;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Proves the test brokers and the network-failure proxy work with the Paho clients, so
 * that session tests built on them fail only for reasons of their own.
 */
@ExtendWith({ HiveMqExtension.class, MoquetteExtension.class })
class BrokerInfrastructureTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	// Long enough for a client that would deliver early to have done so; Paho dispatches
	// on its own thread
	private static final Duration QUIET = Duration.ofMillis(300);

	// Paho's MQTT 5 client logs each inbound PUBREL at INFO through java.util.logging,
	// which keeps loggers only while they are strongly referenced, hence the field
	private static final java.util.logging.Logger PAHO_V5_LOGGER = quiet("org.eclipse.paho.mqttv5");

	private final Deque<AutoCloseable> resources = new ArrayDeque<>();

	@AfterEach
	void closeResources() throws Exception {
		while (!this.resources.isEmpty()) {
			this.resources.pop().close();
		}
	}

	@Test
	void hiveMqDeliversMqtt311ThroughProxyAndAcceptsReconnectAfterCut() throws Exception {
		deliversMqtt311ThroughProxyAndAcceptsReconnectAfterCut(HiveMqExtension.port());
	}

	@Test
	void moquetteDeliversMqtt311ThroughProxyAndAcceptsReconnectAfterCut() throws Exception {
		deliversMqtt311ThroughProxyAndAcceptsReconnectAfterCut(MoquetteExtension.port());
	}

	@Test
	void hiveMqDeliversMqtt5ThroughProxyAndAcceptsReconnectAfterCut() throws Exception {
		TcpProxy proxy = proxyTo(HiveMqExtension.port());
		String topic = newTopic();
		V5Events events = new V5Events();
		org.eclipse.paho.mqttv5.client.MqttClient subscriber = v5Client(proxy.url(), events);
		subscriber.connect(v5Options());
		subscriber.subscribe(topic, 1);
		org.eclipse.paho.mqttv5.client.MqttClient publisher = v5Client(HiveMqExtension.url(), new V5Events());
		publisher.connect(v5Options());

		publisher.publish(topic, payload("before cut"), 1, false);
		awaiting().until(() -> events.messages.contains("before cut"));

		proxy.cut();
		awaiting().until(() -> events.disconnects.get() == 1);
		assertThat(subscriber.isConnected()).isFalse();

		proxy.resume();
		awaiting().until(() -> events.reconnects.get() == 1);
		assertThat(proxy.connectionCount()).isEqualTo(2);
		// A clean start lost the subscription with the old session
		subscriber.subscribe(topic, 1);
		publisher.publish(topic, payload("after resume"), 1, false);
		awaiting().until(() -> events.messages.contains("after resume"));
		assertThat(events.messages).containsExactly("before cut", "after resume");
	}

	@Test
	void hiveMqDeliversQos2ToMqtt311ClientOnlyWhenPubrelArrives() throws Exception {
		deliversQos2ToMqtt311ClientOnlyWhenPubrelArrives(HiveMqExtension.port());
	}

	@Test
	void moquetteDeliversQos2ToMqtt311ClientOnlyWhenPubrelArrives() throws Exception {
		deliversQos2ToMqtt311ClientOnlyWhenPubrelArrives(MoquetteExtension.port());
	}

	@Test
	void hiveMqDeliversQos2ToMqtt5ClientBeforePubrelArrives() throws Exception {
		TcpProxy proxy = proxyTo(HiveMqExtension.port());
		String topic = newTopic();
		V5Events events = new V5Events();
		org.eclipse.paho.mqttv5.client.MqttClient subscriber = v5Client(proxy.url(), events);
		subscriber.connect(v5Options());
		subscriber.subscribe(topic, 2);
		org.eclipse.paho.mqttv5.client.MqttClient publisher = v5Client(HiveMqExtension.url(), new V5Events());
		publisher.connect(v5Options());

		proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBREL);
		publisher.publish(topic, payload("exactly once"), 2, false);
		awaiting().until(() -> proxy.heldPacketCount() == 1);
		// Unlike the MQTT 3.1.1 client, Paho's MQTT 5 client hands a QoS 2 message over
		// as the PUBLISH arrives
		awaiting().until(() -> events.messages.contains("exactly once"));

		proxy.releaseHeldPackets();
		awaiting().until(() -> proxy.heldPacketCount() == 0);
		awaiting().during(QUIET).until(() -> events.messages.size() == 1);
	}

	@Test
	void clientToBrokerHoldForwardsBufferedPublishesInOrderOnRelease() throws Exception {
		TcpProxy proxy = proxyTo(HiveMqExtension.port());
		String topic = newTopic();
		V3Events subscriberEvents = new V3Events();
		MqttClient subscriber = v3Client(HiveMqExtension.url(), subscriberEvents);
		subscriber.connect(v3Options());
		subscriber.subscribe(topic, 1);
		MqttAsyncClient publisher = new MqttAsyncClient(proxy.url(), newClientId(), new MemoryPersistence());
		this.resources.push(() -> close(publisher));
		publisher.connect(v3Options()).waitForCompletion(WAIT.toMillis());

		proxy.holdClientToBroker(true);
		List<IMqttDeliveryToken> deliveries = List.of(publisher.publish(topic, payload("one"), 1, false),
				publisher.publish(topic, payload("two"), 1, false),
				publisher.publish(topic, payload("three"), 1, false));
		awaiting().during(QUIET).until(subscriberEvents.messages::isEmpty);
		assertThat(deliveries).noneMatch(IMqttDeliveryToken::isComplete);

		proxy.holdClientToBroker(false);
		awaiting().until(() -> subscriberEvents.messages.size() == 3);
		assertThat(subscriberEvents.messages).containsExactly("one", "two", "three");
		awaiting().until(() -> deliveries.stream().allMatch(IMqttDeliveryToken::isComplete));
	}

	@Test
	void brokerToClientHoldForwardsBufferedMessagesInOrderOnRelease() throws Exception {
		TcpProxy proxy = proxyTo(MoquetteExtension.port());
		String topic = newTopic();
		V3Events subscriberEvents = new V3Events();
		MqttClient subscriber = v3Client(proxy.url(), subscriberEvents);
		subscriber.connect(v3Options());
		subscriber.subscribe(topic, 1);
		MqttClient publisher = v3Client(MoquetteExtension.url(), new V3Events());
		publisher.connect(v3Options());

		proxy.holdBrokerToClient(true);
		for (String text : List.of("one", "two", "three")) {
			publisher.publish(topic, payload(text), 1, false);
		}
		awaiting().during(QUIET).until(subscriberEvents.messages::isEmpty);

		proxy.holdBrokerToClient(false);
		awaiting().until(() -> subscriberEvents.messages.size() == 3);
		assertThat(subscriberEvents.messages).containsExactly("one", "two", "three");
	}

	@Test
	void cutProxyRefusesConnectionsUntilResumed() throws Exception {
		try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			broker.setSoTimeout((int) WAIT.toMillis());
			TcpProxy proxy = proxyTo(broker.getLocalPort());

			proxy.cut();
			try (Socket refused = new Socket("127.0.0.1", proxy.port())) {
				refused.setSoTimeout((int) WAIT.toMillis());
				assertThat(readOrEnd(refused.getInputStream())).isEqualTo(-1);
			}
			assertThat(proxy.refusedConnectionCount()).isEqualTo(1);
			assertThat(proxy.connectionCount()).isZero();

			proxy.resume();
			try (Socket client = new Socket("127.0.0.1", proxy.port()); Socket accepted = broker.accept()) {
				// A PINGREQ, because the proxy forwards whole MQTT packets only
				client.getOutputStream().write(new byte[] { (byte) 0xC0, 0x00 });
				accepted.setSoTimeout((int) WAIT.toMillis());
				assertThat(accepted.getInputStream().readNBytes(2)).containsExactly(0xC0, 0x00);
			}
			assertThat(proxy.connectionCount()).isEqualTo(1);
		}
	}

	private void deliversMqtt311ThroughProxyAndAcceptsReconnectAfterCut(int brokerPort) throws Exception {
		TcpProxy proxy = proxyTo(brokerPort);
		String topic = newTopic();
		V3Events events = new V3Events();
		MqttClient subscriber = v3Client(proxy.url(), events);
		subscriber.connect(v3Options());
		subscriber.subscribe(topic, 1);
		MqttClient publisher = v3Client("tcp://127.0.0.1:" + brokerPort, new V3Events());
		publisher.connect(v3Options());

		publisher.publish(topic, payload("before cut"), 1, false);
		awaiting().until(() -> events.messages.contains("before cut"));

		proxy.cut();
		awaiting().until(() -> events.connectionsLost.get() == 1);
		assertThat(subscriber.isConnected()).isFalse();

		proxy.resume();
		awaiting().until(() -> events.reconnects.get() == 1);
		assertThat(proxy.connectionCount()).isEqualTo(2);
		// A clean session lost the subscription with the old connection
		subscriber.subscribe(topic, 1);
		publisher.publish(topic, payload("after resume"), 1, false);
		awaiting().until(() -> events.messages.contains("after resume"));
		assertThat(events.messages).containsExactly("before cut", "after resume");
	}

	private void deliversQos2ToMqtt311ClientOnlyWhenPubrelArrives(int brokerPort) throws Exception {
		TcpProxy proxy = proxyTo(brokerPort);
		String topic = newTopic();
		V3Events events = new V3Events();
		MqttClient subscriber = v3Client(proxy.url(), events);
		subscriber.connect(v3Options());
		subscriber.subscribe(topic, 2);
		MqttClient publisher = v3Client("tcp://127.0.0.1:" + brokerPort, new V3Events());
		publisher.connect(v3Options());

		proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBREL);
		publisher.publish(topic, payload("exactly once"), 2, false);
		// The broker sends PUBREL only after the subscriber answered the PUBLISH with
		// PUBREC
		awaiting().until(() -> proxy.heldPacketCount() == 1);
		awaiting().during(QUIET).until(events.messages::isEmpty);

		proxy.releaseHeldPackets();
		awaiting().until(() -> events.messages.contains("exactly once"));
		assertThat(proxy.heldPacketCount()).isZero();
		assertThat(events.messages).containsExactly("exactly once");
	}

	private static ConditionFactory awaiting() {
		// Polls often because every test waits on several hand-overs between threads
		return await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10));
	}

	private TcpProxy proxyTo(int brokerPort) {
		TcpProxy proxy = new TcpProxy("127.0.0.1", brokerPort);
		this.resources.push(proxy);
		return proxy;
	}

	private MqttClient v3Client(String url, V3Events events) throws MqttException {
		MqttClient client = new MqttClient(url, newClientId(), new MemoryPersistence());
		client.setTimeToWait(WAIT.toMillis());
		client.setCallback(events);
		this.resources.push(() -> close(client));
		return client;
	}

	private org.eclipse.paho.mqttv5.client.MqttClient v5Client(String url, V5Events events)
			throws org.eclipse.paho.mqttv5.common.MqttException {
		org.eclipse.paho.mqttv5.client.MqttClient client = new org.eclipse.paho.mqttv5.client.MqttClient(url,
				newClientId(), new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
		client.setTimeToWait(WAIT.toMillis());
		client.setCallback(events);
		this.resources.push(() -> close(client));
		return client;
	}

	private static MqttConnectOptions v3Options() {
		MqttConnectOptions options = new MqttConnectOptions();
		options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
		options.setCleanSession(true);
		options.setConnectionTimeout(3);
		options.setAutomaticReconnect(true);
		// Paho waits 1 s before its first reconnect attempt; this keeps later attempts
		// from backing off further
		options.setMaxReconnectDelay(1000);
		return options;
	}

	private static MqttConnectionOptions v5Options() {
		MqttConnectionOptions options = new MqttConnectionOptions();
		options.setCleanStart(true);
		options.setConnectionTimeout(3);
		options.setAutomaticReconnect(true);
		options.setAutomaticReconnectDelay(1, 1);
		return options;
	}

	private static void close(MqttClient client) throws MqttException {
		if (client.isConnected()) {
			client.disconnect(0);
		}
		// Forced, because an automatic reconnect may be under way
		client.close(true);
	}

	private static void close(MqttAsyncClient client) throws MqttException {
		if (client.isConnected()) {
			client.disconnect(0).waitForCompletion(WAIT.toMillis());
		}
		client.close(true);
	}

	private static void close(org.eclipse.paho.mqttv5.client.MqttClient client)
			throws org.eclipse.paho.mqttv5.common.MqttException {
		if (client.isConnected()) {
			client.disconnect(0);
		}
		client.close(true);
	}

	private static java.util.logging.Logger quiet(String loggerName) {
		java.util.logging.Logger logger = java.util.logging.Logger.getLogger(loggerName);
		logger.setLevel(java.util.logging.Level.WARNING);
		return logger;
	}

	private static int readOrEnd(InputStream in) throws IOException {
		try {
			return in.read();
		}
		catch (SocketException ex) {
			// A reset connection ends the stream as surely as an orderly close
			return -1;
		}
	}

	private static String newTopic() {
		return "infrastructure/" + UUID.randomUUID();
	}

	private static String newClientId() {
		return "infrastructure-" + UUID.randomUUID();
	}

	private static byte[] payload(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** What a Paho MQTT 3.1.1 client's callback saw. */
	private static final class V3Events implements MqttCallbackExtended {

		final List<String> messages = new CopyOnWriteArrayList<>();

		final AtomicInteger connectionsLost = new AtomicInteger();

		final AtomicInteger reconnects = new AtomicInteger();

		@Override
		public void connectComplete(boolean reconnect, String serverUri) {
			if (reconnect) {
				this.reconnects.incrementAndGet();
			}
		}

		@Override
		public void connectionLost(Throwable cause) {
			this.connectionsLost.incrementAndGet();
		}

		@Override
		public void messageArrived(String topic, MqttMessage message) {
			this.messages.add(new String(message.getPayload(), StandardCharsets.UTF_8));
		}

		@Override
		public void deliveryComplete(IMqttDeliveryToken token) {
		}

	}

	/** What a Paho MQTT 5 client's callback saw. */
	private static final class V5Events implements MqttCallback {

		final List<String> messages = new CopyOnWriteArrayList<>();

		final AtomicInteger disconnects = new AtomicInteger();

		final AtomicInteger reconnects = new AtomicInteger();

		@Override
		public void connectComplete(boolean reconnect, String serverUri) {
			if (reconnect) {
				this.reconnects.incrementAndGet();
			}
		}

		@Override
		public void disconnected(MqttDisconnectResponse response) {
			this.disconnects.incrementAndGet();
		}

		@Override
		public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {
			this.messages.add(new String(message.getPayload(), StandardCharsets.UTF_8));
		}

		@Override
		public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException exception) {
		}

		@Override
		public void deliveryComplete(IMqttToken token) {
		}

		@Override
		public void authPacketArrived(int reasonCode, MqttProperties properties) {
		}

	}

}
