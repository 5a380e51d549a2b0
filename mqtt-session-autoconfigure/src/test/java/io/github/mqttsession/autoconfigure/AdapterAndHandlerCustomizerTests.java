package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.SubscribedEvents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.support.DefaultPahoMessageConverter;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.messaging.MessagingException;
import org.springframework.messaging.support.ErrorMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every inbound adapter and outbound handler customizer bean is applied, in order, after
 * the properties, and what it changes reaches the running adapter or handler: seen in
 * what a message does on its way through a real broker.
 */
@ExtendWith(HiveMqExtension.class)
class AdapterAndHandlerCustomizerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.url=" + HiveMqExtension.url(), "mqtt.client.completion-timeout=5s",
				"mqtt.client.quiescent-timeout=0s", "mqtt.client.disconnect-timeout=1s",
				"spring.integration.endpoint.default-timeout=1s");

	@Test
	void theInboundAdapterCustomizersChangeItsErrorChannelAndConverterAfterTheProperties() {
		this.runner.withUserConfiguration(SubscribedEvents.class, InboundCustomizers.class)
			.withPropertyValues("mqtt.client.client-id=customized-inbound", "mqtt.inbound.topics[0].filter=inbound/#",
					"mqtt.inbound.error-channel=propertyErrors")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("applied", List.class)).containsExactly("first", "second");
				SubscribedEvents.awaitSubscribed(context, TIMEOUT);
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("21.5").setHeader(MqttHeaders.TOPIC, "inbound/a").build());
				Message<?> error = context.getBean("customizedErrors", QueueChannel.class).receive(TIMEOUT.toMillis());
				assertThat(error).isInstanceOf(ErrorMessage.class);
				MessagingException failure = (MessagingException) ((ErrorMessage) error).getPayload();
				assertThat(failure).hasMessageContaining("rejected on purpose");
				// The second customizer's converter hands the payload over as bytes
				assertThat(failure.getFailedMessage().getPayload()).isEqualTo("21.5".getBytes());
				assertThat(context.getBean("propertyErrors", QueueChannel.class).receive(0)).isNull();
			});
	}

	@Test
	void theOutboundHandlerCustomizersChangeItsDefaultTopicAfterTheProperties() {
		this.runner.withUserConfiguration(SubscribedEvents.class, OutboundCustomizers.class)
			.withPropertyValues("mqtt.client.client-id=customized-outbound", "mqtt.client.protocol-version=5",
					"mqtt.inbound.topics[0].filter=outbound/#", "mqtt.outbound.default-topic=outbound/property")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("applied", List.class)).containsExactly("first", "second");
				SubscribedEvents.awaitSubscribed(context, TIMEOUT);
				// No topic header: the handler's default topic applies
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("21.5").build());
				Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class)
					.receive(TIMEOUT.toMillis());
				assertThat(received).isNotNull();
				assertThat(received.getHeaders().get(MqttHeaders.RECEIVED_TOPIC)).isEqualTo("outbound/customized");
			});
	}

	@Test
	void aTopicExpressionOfACustomizerNeedsNoTopicHeaderOrDefaultTopic() {
		this.runner.withUserConfiguration(SubscribedEvents.class, TopicExpressionCustomizer.class)
			.withPropertyValues("mqtt.client.client-id=customized-expression", "mqtt.inbound.topics[0].filter=rooms/#")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SubscribedEvents.awaitSubscribed(context, TIMEOUT);
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("21.5").setHeader("room", "kitchen").build());
				Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class)
					.receive(TIMEOUT.toMillis());
				assertThat(received).isNotNull();
				assertThat(received.getHeaders().get(MqttHeaders.RECEIVED_TOPIC)).isEqualTo("rooms/kitchen");
				// The topic the expression gives is checked as a header's would be
				assertThatExceptionOfType(MessageHandlingException.class)
					.isThrownBy(() -> context.getBean("mqttOutboundChannel", MessageChannel.class)
						.send(MessageBuilder.withPayload("21.5").setHeader("room", "#").build()))
					.havingCause()
					.isInstanceOf(IllegalArgumentException.class)
					.withMessageContaining("topic expression gave 'rooms/#'");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class InboundCustomizers {

		@Bean
		List<String> applied() {
			return new CopyOnWriteArrayList<>();
		}

		@Bean
		DirectChannel mqttInboundChannel() {
			DirectChannel channel = new DirectChannel();
			channel.subscribe((message) -> {
				throw new MessagingException(message, "rejected on purpose");
			});
			return channel;
		}

		@Bean
		QueueChannel propertyErrors() {
			return new QueueChannel();
		}

		@Bean
		QueueChannel customizedErrors() {
			return new QueueChannel();
		}

		// Declared in the reverse of their order, so that the order is not the
		// declaration's
		@Bean
		@Order(2)
		MqttInboundAdapterCustomizer bytesConverter(List<String> applied) {
			return (adapter) -> {
				applied.add("second");
				DefaultPahoMessageConverter converter = new DefaultPahoMessageConverter();
				converter.setPayloadAsBytes(true);
				adapter.setConverter(converter);
			};
		}

		@Bean
		@Order(1)
		MqttInboundAdapterCustomizer errorChannel(List<String> applied) {
			return (adapter) -> {
				applied.add("first");
				adapter.setErrorChannelName("customizedErrors");
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TopicExpressionCustomizer {

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

		@Bean
		MqttOutboundHandlerCustomizer topicFromRoom() {
			return (handler) -> handler.setTopicExpressionString("'rooms/' + headers['room']");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OutboundCustomizers {

		@Bean
		List<String> applied() {
			return new CopyOnWriteArrayList<>();
		}

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

		@Bean
		@Order(2)
		MqttOutboundHandlerCustomizer customizedTopic(List<String> applied) {
			return (handler) -> {
				applied.add("second");
				handler.setDefaultTopic("outbound/customized");
			};
		}

		@Bean
		@Order(1)
		MqttOutboundHandlerCustomizer firstTopic(List<String> applied) {
			return (handler) -> {
				applied.add("first");
				handler.setDefaultTopic("outbound/first");
			};
		}

	}

}
