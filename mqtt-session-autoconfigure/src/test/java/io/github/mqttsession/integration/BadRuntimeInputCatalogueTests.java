package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.support.MqttHeaderMapper;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.messaging.MessageHeaders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A catalogue of bad values handed to a running client, one application per MQTT version
 * for all of them: a message sent to the outbound channel with a bad header, and a
 * runtime subscribe or unsubscribe with a bad filter or QoS. Each fails naming the header
 * or argument, the value and what is valid, before anything is stored: the stored
 * session, with a subscription made at runtime and a message the broker has not
 * acknowledged, stays as it was.
 */
@ExtendWith(HiveMqExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadRuntimeInputCatalogueTests {

	private static final String LONG = "x".repeat(65_536);

	/** 1,025 UTF-8 bytes: a valid MQTT filter the JPA store cannot index. */
	private static final String OVER_STORE_LIMIT = "s".repeat(1_025);

	private final Map<String, RunningClient> clients = new java.util.HashMap<>();

	@BeforeAll
	void startOneApplicationPerVersion() {
		this.clients.put("3.1.1", new RunningClient("3.1.1"));
		this.clients.put("5", new RunningClient("5"));
		// Spring Integration maps no user properties unless told to: this application
		// maps headers 'app-*'
		MqttHeaderMapper mapper = new MqttHeaderMapper();
		mapper.setOutboundHeaderNames(MessageHeaders.CONTENT_TYPE, MqttHeaders.MESSAGE_EXPIRY_INTERVAL,
				MqttHeaders.RESPONSE_TOPIC, MqttHeaders.CORRELATION_DATA, "app-*");
		this.clients.get("5").context.getBean(SessionMqttv5MessageHandler.class).setHeaderMapper(mapper);
	}

	@AfterAll
	void stop() {
		this.clients.values().forEach(RunningClient::close);
	}

	@ParameterizedTest(name = "MQTT {0}: {1}")
	@MethodSource("badHeaders")
	void aMessageWithABadHeaderFailsBeforeAnythingIsStored(String version, String header, Object value,
			List<String> named) {
		RunningClient client = this.clients.get(version);
		MessageBuilder<String> message = MessageBuilder.withPayload("bad").setHeader(MqttHeaders.QOS, 1);
		if (!header.equals(MqttHeaders.TOPIC)) {
			message.setHeader(MqttHeaders.TOPIC, "catalogue/good");
		}
		message.setHeader(header, value);
		Throwable failure = catchThrowable(() -> client.outbound.send(message.build()));
		assertThat(failure).isInstanceOf(MessageHandlingException.class)
			.cause()
			.isInstanceOf(IllegalArgumentException.class)
			.message()
			.contains(named);
		client.assertSessionUnchanged();
	}

	static Stream<Arguments> badHeaders() {
		List<Arguments> cases = new ArrayList<>();
		for (String version : List.of("3.1.1", "5")) {
			String topic = MqttHeaders.TOPIC;
			cases.add(header(version, topic, "sensors/\uD800", "U+D800", "well-formed UTF-8"));
			cases.add(header(version, topic, "\uDC00sensors", "U+DC00", "well-formed UTF-8"));
			cases.add(header(version, topic, "sen\u0000sors", "sen\\u0000sors", "U+0000"));
			cases.add(header(version, topic, "sensors/#", "'sensors/#'", "wildcards"));
			cases.add(header(version, topic, "sensors/+/temperature", "'sensors/+/temperature'", "wildcards"));
			cases.add(header(version, topic, "", "must not be empty"));
			cases.add(header(version, topic, LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"));
			cases.add(header(version, topic, 42, "'42'", "java.lang.Integer", "a String topic name"));
			String qos = MqttHeaders.QOS;
			cases.add(header(version, qos, 5, "QoS 5", "0, 1 or 2"));
			cases.add(header(version, qos, -1, "QoS -1", "0, 1 or 2"));
			cases.add(header(version, qos, 3, "QoS 3", "0, 1 or 2"));
			cases.add(header(version, qos, "1", "'1'", "java.lang.String", "an Integer QoS level: 0, 1 or 2"));
			cases.add(header(version, qos, 1L, "'1'", "java.lang.Long", "an Integer QoS level: 0, 1 or 2"));
			String retained = MqttHeaders.RETAINED;
			cases.add(header(version, retained, "true", "'true'", "java.lang.String", "a Boolean, true or false"));
			cases.add(header(version, retained, 1, "'1'", "java.lang.Integer", "a Boolean, true or false"));
		}
		// MQTT 5 only: the properties Spring Integration maps from headers
		String response = MqttHeaders.RESPONSE_TOPIC;
		cases.add(header("5", response, "replies/#", "'replies/#'", "wildcards"));
		cases.add(header("5", response, "replies/\uD800", "U+D800", "well-formed UTF-8"));
		cases.add(header("5", response, "rep\u0000lies", "U+0000"));
		cases.add(header("5", response, "", "must not be empty"));
		cases.add(header("5", MessageHeaders.CONTENT_TYPE, "text/plain\u0000", "Content type", "U+0000"));
		cases.add(header("5", MessageHeaders.CONTENT_TYPE, "text/\uDFFF", "Content type", "U+DFFF"));
		cases.add(header("5", MqttHeaders.MESSAGE_EXPIRY_INTERVAL, -1L, "is -1", "0..4294967295 seconds"));
		cases.add(header("5", MqttHeaders.MESSAGE_EXPIRY_INTERVAL, 4_294_967_296L, "is 4294967296",
				"0..4294967295 seconds"));
		cases.add(header("5", MqttHeaders.MESSAGE_EXPIRY_INTERVAL, "soon", "'soon'", "not a number"));
		cases.add(
				header("5", MqttHeaders.CORRELATION_DATA, new byte[65_536], "65536 bytes long", "at most 65535 bytes"));
		cases.add(header("5", "app-site", "north\u0000", "User property 'app-site' value", "U+0000"));
		cases.add(header("5", "app-site", "north\uD800", "User property 'app-site' value", "U+D800"));
		cases.add(header("5", "app-site", LONG, "User property 'app-site' value", "at most 65535 bytes"));
		cases.add(header("5", "app-\uD800", "north", "User property name", "U+D800"));
		cases.add(header("5", "app-\u0000", "north", "User property name", "U+0000"));
		return cases.stream();
	}

	@ParameterizedTest(name = "MQTT {0}: no topic and no default topic")
	@MethodSource("versions")
	void aMessageWithoutATopicAndNoDefaultTopicNamesTheHeaderAndTheProperty(String version) {
		RunningClient client = this.clients.get(version);
		Throwable failure = catchThrowable(() -> client.outbound.send(MessageBuilder.withPayload("bad").build()));
		assertThat(failure).isInstanceOf(MessageHandlingException.class)
			.cause()
			.isInstanceOf(IllegalArgumentException.class)
			.message()
			.contains("'mqtt_topic'", "mqtt.outbound.default-topic");
		client.assertSessionUnchanged();
	}

	@ParameterizedTest(name = "MQTT {0}: {1}")
	@MethodSource("badSubscriptions")
	void aBadRuntimeSubscriptionChangeFailsBeforeTheStoreChanges(String version, String what, Subscribing change,
			List<String> named) {
		RunningClient client = this.clients.get(version);
		assertThatIllegalArgumentException().isThrownBy(() -> change.apply(client.subscriptions))
			.withMessageContainingAll(named.toArray(String[]::new));
		client.assertSessionUnchanged();
		assertThat(client.subscriptions.activeTopics()).containsExactlyInAnyOrderElementsOf(client.activeTopics);
	}

	static Stream<Arguments> badSubscriptions() {
		List<Arguments> cases = new ArrayList<>();
		for (String version : List.of("3.1.1", "5")) {
			cases.add(subscribe(version, "sensors\u0000/#", 1, "Topic filter", "U+0000"));
			cases.add(subscribe(version, "sensors/\uD800/#", 1, "Topic filter", "U+D800", "well-formed UTF-8"));
			cases.add(subscribe(version, "sensors/#/temperature", 1, "'sensors/#/temperature'", "whole last level"));
			cases.add(subscribe(version, "sensors+/temperature", 1, "'sensors+/temperature'", "whole level"));
			cases.add(subscribe(version, "", 1, "Topic filter", "must not be empty"));
			cases.add(subscribe(version, LONG, 1, "65536 UTF-8 bytes long", "at most 65535 bytes"));
			cases.add(subscribe(version, OVER_STORE_LIMIT, 1, "1025 UTF-8 bytes long", "at most 1024 bytes"));
			cases.add(subscribe(version, "sensors/#", 3, "QoS 3", "0, 1 or 2"));
			cases.add(subscribe(version, "sensors/#", -1, "QoS -1", "0, 1 or 2"));
			// A change of QoS of the stored subscription to a bad one leaves it as it was
			cases.add(subscribe(version, "catalogue/runtime/+", 7, "QoS 7", "0, 1 or 2"));
			cases.add(Arguments.of(version, "unsubscribe 'sensors/#/x'",
					(Subscribing) (subscriptions) -> subscriptions.unsubscribe("sensors/#/x"),
					List.of("'sensors/#/x'", "whole last level")));
			cases.add(Arguments.of(version, "unsubscribe NUL",
					(Subscribing) (subscriptions) -> subscriptions.unsubscribe("catalogue/runtime/+\u0000"),
					List.of("Topic filter", "U+0000")));
		}
		return cases.stream();
	}

	static Stream<String> versions() {
		return Stream.of("3.1.1", "5");
	}

	private static Arguments header(String version, String header, Object value, String... named) {
		List<String> all = new ArrayList<>(List.of("'" + header + "'"));
		all.addAll(List.of(named));
		return Arguments.of(version, header, value, all);
	}

	private static Arguments subscribe(String version, String filter, int qos, String... named) {
		String shown = (filter.length() > 40) ? filter.length() + " characters" : filter;
		return Arguments.of(version, "subscribe '" + shown + "' at QoS " + qos,
				(Subscribing) (subscriptions) -> subscriptions.subscribe(filter, qos), List.of(named));
	}

	/** A runtime change of the subscriptions. */
	@FunctionalInterface
	interface Subscribing {

		void apply(MqttSubscriptions subscriptions) throws Throwable;

	}

	/**
	 * A running application of one MQTT version whose stored session holds a subscription
	 * made at runtime and a QoS 1 message in flight: the proxy holds back the broker's
	 * PUBACK.
	 */
	private static final class RunningClient implements AutoCloseable {

		private final String clientId;

		private final TcpProxy proxy;

		private final ConfigurableApplicationContext context;

		private final MessageChannel outbound;

		private final MqttSubscriptions subscriptions;

		private final SessionStore store;

		private final MqttSession stored;

		private final List<String> activeTopics;

		RunningClient(String version) {
			this.clientId = "catalogue-runtime-" + version;
			this.proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
			this.context = new MqttApplicationRunner(this.proxy.url(), this.clientId)
				.with("mqtt.client.protocol-version=" + version, "mqtt.inbound.topics[0].filter=catalogue/configured/#")
				.start();
			this.outbound = this.context.getBean("mqttOutboundChannel", MessageChannel.class);
			this.subscriptions = this.context.getBean(MqttSubscriptions.class);
			this.store = this.context.getBean(SessionStore.class);
			this.subscriptions.subscribe("catalogue/runtime/+", 2);
			this.proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBACK);
			this.outbound.send(MessageBuilder.withPayload("pending")
				.setHeader(MqttHeaders.TOPIC, "catalogue/pending")
				.setHeader(MqttHeaders.QOS, 1)
				.build());
			await().atMost(Duration.ofSeconds(20)).until(() -> this.proxy.heldPacketCount() == 1);
			this.stored = this.store.load(this.clientId).orElseThrow();
			assertThat(this.stored.subscriptions()).extracting("topicFilter")
				.containsExactlyInAnyOrder("catalogue/configured/#", "catalogue/runtime/+");
			assertThat(this.stored.pendingMessages()).singleElement()
				.satisfies((pending) -> assertThat(pending.topic()).isEqualTo("catalogue/pending"));
			this.activeTopics = this.subscriptions.activeTopics();
		}

		void assertSessionUnchanged() {
			assertThat(this.store.load(this.clientId)).contains(this.stored);
			assertThat(this.proxy.heldPacketCount()).as("the PUBACK held back, so nothing else was published").isOne();
		}

		@Override
		public void close() {
			this.proxy.releaseHeldPackets();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> this.store.load(this.clientId).orElseThrow().pendingMessages().isEmpty());
			this.context.close();
			this.proxy.close();
		}

	}

}
