package io.github.mqttsession.integration;

import java.time.Duration;

import io.github.mqttsession.apps.channels.ChannelsApplication;
import io.github.mqttsession.observation.DefaultMqttPublishObservationConvention;
import io.github.mqttsession.observation.MqttPublishObservationContext;
import io.github.mqttsession.observation.MqttPublishObservationConvention;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessagingException;

import static io.github.mqttsession.integration.ChannelsApplicationProbe.awaitSubscribed;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.errors;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.received;
import static io.github.mqttsession.integration.ChannelsApplicationProbe.runner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * With an {@code ObservationRegistry} in the application, each publish and each arriving
 * message is observed, tagged with the client id, the configured destination, the QoS and
 * the outcome, the topic itself only as a high-cardinality tag.
 */
@ExtendWith(HiveMqExtension.class)
class MqttObservationTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aPublishIsObservedUntilItIsDurableTaggedWithTheDefaultTopicItWentTo(String version) {
		String clientId = "observed-publish-" + version;
		MqttApplicationRunner app = runner(clientId).sources(ObservedApplication.class)
			.with("mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=observed/publish");
		try (ConfigurableApplicationContext context = app.start()) {
			MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
			channel.send(MessageBuilder.withPayload("to the default topic").setHeader(MqttHeaders.QOS, 2).build());
			channel.send(MessageBuilder.withPayload("to a device")
				.setHeader(MqttHeaders.TOPIC, "observed/device/42")
				.build());

			TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
				.hasNumberOfObservationsWithNameEqualTo(DefaultMqttPublishObservationConvention.NAME, 2)
				.hasAnObservation((observation) -> observation.hasNameEqualTo("mqtt.session.publish")
					.hasContextualNameEqualTo("publish observed/publish")
					.hasLowCardinalityKeyValue("messaging.system", "mqtt")
					.hasLowCardinalityKeyValue("messaging.operation", "publish")
					.hasLowCardinalityKeyValue("messaging.client.id", clientId)
					.hasLowCardinalityKeyValue("messaging.destination.name", "observed/publish")
					.hasLowCardinalityKeyValue("messaging.mqtt.qos", "2")
					.hasLowCardinalityKeyValue("outcome", "success")
					.hasHighCardinalityKeyValue("messaging.mqtt.topic", "observed/publish")
					.doesNotHaveError())
				.hasAnObservation((observation) -> observation.hasNameEqualTo("mqtt.session.publish")
					.hasLowCardinalityKeyValue("messaging.destination.name", "other")
					.hasLowCardinalityKeyValue("messaging.mqtt.qos", "1")
					.hasLowCardinalityKeyValue("outcome", "success")
					.hasHighCardinalityKeyValue("messaging.mqtt.topic", "observed/device/42"));
		}
	}

	@Test
	void aPublishRefusedForAnInvalidTopicHeaderIsObservedAsAnError() {
		MqttApplicationRunner app = runner("observed-refused").sources(ObservedApplication.class)
			.with("mqtt.outbound.default-topic=observed/refused");
		try (ConfigurableApplicationContext context = app.start()) {
			MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
			assertThatExceptionOfType(MessagingException.class).isThrownBy(() -> channel
				.send(MessageBuilder.withPayload("nowhere").setHeader(MqttHeaders.TOPIC, "observed/#").build()));

			TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
				.hasObservationWithNameEqualTo(DefaultMqttPublishObservationConvention.NAME)
				.that()
				.hasBeenStopped()
				.hasError()
				.hasLowCardinalityKeyValue("outcome", "error")
				.hasLowCardinalityKeyValue("messaging.destination.name", "other")
				.hasLowCardinalityKeyValue("messaging.mqtt.qos", "unknown")
				.hasHighCardinalityKeyValue("messaging.mqtt.topic", "observed/#");
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void anArrivingMessageIsObservedUntilTheFlowReturnedTaggedWithTheFilterItMatched(String version) throws Exception {
		String clientId = "observed-receive-" + version;
		MqttApplicationRunner app = runner(clientId).sources(ObservedApplication.class)
			.with("mqtt.client.protocol-version=" + version, "mqtt.inbound.topics[0].filter=observed/other/#",
					"mqtt.inbound.topics[1].filter=observed/in/" + version + "/+");
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish("observed/in/" + version + "/7", "hello");
			assertThat(received(context, 1)).containsExactly("hello");

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
							.hasObservationWithNameEqualTo("mqtt.session.receive")
							.that()
							.hasBeenStopped()
							.doesNotHaveError()
							.hasContextualNameEqualTo("process observed/in/" + version + "/+")
							.hasLowCardinalityKeyValue("messaging.operation", "process")
							.hasLowCardinalityKeyValue("messaging.client.id", clientId)
							.hasLowCardinalityKeyValue("messaging.destination.name", "observed/in/" + version + "/+")
							.hasLowCardinalityKeyValue("messaging.mqtt.qos", "1")
							.hasLowCardinalityKeyValue("outcome", "success")
							.hasHighCardinalityKeyValue("messaging.mqtt.topic", "observed/in/" + version + "/7"));
		}
	}

	@Test
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "org.springframework.integration.handler.LoggingHandler",
			message = "Dispatcher failed to deliver Message",
			reason = "the default error channel logs the message the flow failed on, which this test provokes")
	void aMessageTheFlowFailsOnIsObservedAsAnErrorThoughItGoesToTheErrorChannel() throws Exception {
		MqttApplicationRunner app = runner("observed-poison").sources(ObservedApplication.class)
			.with("mqtt.inbound.topics[0].filter=observed/poison");
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			MqttSessionRestartTests.publish("observed/poison", ChannelsApplication.POISON);
			await().atMost(Duration.ofSeconds(20)).until(() -> !errors(context).isEmpty());

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
							.hasObservationWithNameEqualTo("mqtt.session.receive")
							.that()
							.hasBeenStopped()
							.hasError()
							.hasLowCardinalityKeyValue("outcome", "error")
							.hasLowCardinalityKeyValue("messaging.destination.name", "observed/poison"));
		}
	}

	@Test
	void aConventionBeanOfTheApplicationsOwnNamesThePublishObservation() {
		MqttApplicationRunner app = runner("observed-convention")
			.sources(ObservedApplication.class, OwnConventionApplication.class)
			.with("mqtt.outbound.default-topic=observed/convention");
		try (ConfigurableApplicationContext context = app.start()) {
			context.getBean("mqttOutboundChannel", MessageChannel.class)
				.send(MessageBuilder.withPayload("named by the application").build());

			TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
				.hasObservationWithNameEqualTo("app.mqtt.publish")
				.that()
				.hasLowCardinalityKeyValue("messaging.destination.name", "observed/convention")
				.hasLowCardinalityKeyValue("app.payload.type", "String");
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservedApplication {

		@Bean
		TestObservationRegistry observationRegistry() {
			return TestObservationRegistry.create();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnConventionApplication {

		@Bean
		MqttPublishObservationConvention ownPublishConvention() {
			return new DefaultMqttPublishObservationConvention() {

				@Override
				public String getName() {
					return "app.mqtt.publish";
				}

				@Override
				public io.micrometer.common.KeyValues getLowCardinalityKeyValues(
						MqttPublishObservationContext context) {
					return super.getLowCardinalityKeyValues(context).and("app.payload.type",
							context.getMessage().getPayload().getClass().getSimpleName());
				}

			};
		}

	}

}
