package io.github.mqttsession.apps.channels;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import jakarta.annotation.PostConstruct;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.integration.StaticMessageHeaderAccessor;
import org.springframework.integration.acks.SimpleAcknowledgment;
import org.springframework.integration.aop.ReceiveMessageAdvice;
import org.springframework.integration.channel.ExecutorChannel;
import org.springframework.integration.channel.FluxMessageChannel;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;
import org.springframework.integration.mqtt.event.MqttConnectionFailedEvent;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.integration.scheduling.PollerMetadata;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.SubscribableChannel;
import org.springframework.messaging.support.ErrorMessage;

/**
 * An application that brings its own kind of inbound and outbound channel
 * ({@code test.channel}: executor, publish-subscribe, queue or flux; none: the starter's
 * direct channels) and takes what arrives in one of three ways ({@code test.consumer}): a
 * flow from the inbound channel, a handler subscribed through an
 * {@code @Autowired SubscribableChannel mqttInboundChannel}, or one subscribed in a
 * constructor. A payload "poison" makes the consumer throw; any other it acknowledges
 * where acknowledgement is manual. What reaches the error channel is collected.
 */
@SpringBootApplication
public class ChannelsApplication {

	/** The payload the consumer refuses with an exception. */
	public static final String POISON = "poison";

	@Bean
	BlockingQueue<Message<?>> received() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	BlockingQueue<ErrorMessage> errors() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	IntegrationFlow errorCollector(BlockingQueue<ErrorMessage> errors) {
		return IntegrationFlow.from("errorChannel").handle((message) -> errors.add((ErrorMessage) message)).get();
	}

	@Bean
	BlockingQueue<Object> connectionEvents() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	ApplicationListener<MqttSubscribedEvent> subscribedEventCollector(BlockingQueue<Object> connectionEvents) {
		return connectionEvents::add;
	}

	@Bean
	ApplicationListener<MqttConnectionFailedEvent> connectionFailedEventCollector(
			BlockingQueue<Object> connectionEvents) {
		return connectionEvents::add;
	}

	static void take(Message<?> message, BlockingQueue<Message<?>> received) {
		if (POISON.equals(text(message))) {
			throw new IllegalStateException("The consumer cannot handle this message");
		}
		received.add(message);
		// With manual acknowledgement, what the consumer handled it acknowledges
		SimpleAcknowledgment acknowledgment = StaticMessageHeaderAccessor.getAcknowledgment(message);
		if (acknowledgment != null) {
			acknowledgment.acknowledge();
		}
	}

	/**
	 * The payload of an arriving message as text.
	 * @param message the message
	 * @return its payload
	 */
	public static String text(Message<?> message) {
		return (message.getPayload() instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: message.getPayload().toString();
	}

	@Bean
	@ConditionalOnProperty(name = "test.consumer", havingValue = "flow", matchIfMissing = true)
	IntegrationFlow receivingFlow(@Value("${mqtt.inbound.channel:mqttInboundChannel}") String inboundChannel,
			BlockingQueue<Message<?>> received) {
		return IntegrationFlow.from(inboundChannel).handle((message) -> take(message, received)).get();
	}

	@Bean
	@ConditionalOnProperty(name = "test.consumer", havingValue = "autowired")
	AutowiredConsumer autowiredConsumer(BlockingQueue<Message<?>> received) {
		return new AutowiredConsumer(received);
	}

	@Bean
	@ConditionalOnProperty(name = "test.consumer", havingValue = "constructor")
	ConstructorConsumer constructorConsumer(BeanFactory beanFactory, BlockingQueue<Message<?>> received) {
		return new ConstructorConsumer(beanFactory, received);
	}

	/** Subscribes through the injected channel before the lifecycle starts. */
	static final class AutowiredConsumer {

		@Autowired
		private SubscribableChannel mqttInboundChannel;

		private final BlockingQueue<Message<?>> received;

		AutowiredConsumer(BlockingQueue<Message<?>> received) {
			this.received = received;
		}

		@PostConstruct
		void subscribe() {
			this.mqttInboundChannel.subscribe((message) -> take(message, this.received));
		}

	}

	/** Looks the channel up by name and subscribes while it is being constructed. */
	static final class ConstructorConsumer {

		ConstructorConsumer(BeanFactory beanFactory, BlockingQueue<Message<?>> received) {
			beanFactory.getBean("mqttInboundChannel", SubscribableChannel.class)
				.subscribe((message) -> take(message, received));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "test.channel", havingValue = "executor")
	static class ExecutorChannels {

		@Bean
		MessageChannel mqttInboundChannel() {
			return new ExecutorChannel(new SimpleAsyncTaskExecutor("inbound-"));
		}

		@Bean
		MessageChannel mqttOutboundChannel() {
			return new ExecutorChannel(new SimpleAsyncTaskExecutor("outbound-"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "test.channel", havingValue = "publish-subscribe")
	static class PublishSubscribeChannels {

		@Bean
		MessageChannel mqttInboundChannel() {
			return new PublishSubscribeChannel();
		}

		@Bean
		MessageChannel mqttOutboundChannel() {
			return new PublishSubscribeChannel();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "test.channel", havingValue = "flux")
	static class FluxChannels {

		@Bean
		MessageChannel mqttInboundChannel() {
			return new FluxMessageChannel();
		}

		@Bean
		MessageChannel mqttOutboundChannel() {
			return new FluxMessageChannel();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "test.channel", havingValue = "queue")
	static class QueueChannels {

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

		@Bean
		QueueChannel mqttOutboundChannel() {
			return new QueueChannel();
		}

		@Bean
		PollGate pollGate(@Value("${test.poll-gate:open}") String state) {
			return new PollGate("open".equals(state));
		}

		@Bean(PollerMetadata.DEFAULT_POLLER)
		PollerMetadata defaultPoller(PollGate pollGate) {
			return Pollers.fixedDelay(Duration.ofMillis(10)).advice(pollGate).getObject();
		}

	}

	/** Lets the pollers of the queue channels take messages only while it is open. */
	public static final class PollGate implements ReceiveMessageAdvice {

		private volatile boolean open;

		PollGate(boolean open) {
			this.open = open;
		}

		/** Lets the pollers take messages from now on. */
		public void open() {
			this.open = true;
		}

		@Override
		public boolean beforeReceive(Object source) {
			return this.open;
		}

		@Override
		public Message<?> afterReceive(Message<?> result, Object source) {
			return result;
		}

	}

}
