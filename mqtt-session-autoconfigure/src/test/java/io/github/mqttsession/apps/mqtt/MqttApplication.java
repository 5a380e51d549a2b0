package io.github.mqttsession.apps.mqtt;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import java.time.Duration;

import org.awaitility.Awaitility;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.annotation.ServiceActivator;
import org.springframework.integration.mqtt.event.MqttMessageSentEvent;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.messaging.Message;

/** An application that only configures MQTT by properties and collects what arrives. */
@SpringBootApplication
public class MqttApplication {

	@Bean
	BlockingQueue<Message<?>> received() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	BlockingQueue<MqttMessageSentEvent> sentEvents() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	ApplicationListener<MqttMessageSentEvent> sentEventCollector(BlockingQueue<MqttMessageSentEvent> sentEvents) {
		return sentEvents::add;
	}

	@Bean
	BlockingQueue<MqttSubscribedEvent> subscribedEvents() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	ApplicationListener<MqttSubscribedEvent> subscribedEventCollector(
			BlockingQueue<MqttSubscribedEvent> subscribedEvents) {
		return subscribedEvents::add;
	}

	@Bean
	Receiver receiver(BlockingQueue<Message<?>> received) {
		return new Receiver(received);
	}

	@Bean
	@ConditionalOnProperty("test.delay-before-adapters")
	SmartLifecycle delayBeforeAdapters(@Value("${test.delay-before-adapters}") Duration delay) {
		return new DelayBeforeAdapters(delay);
	}

	/**
	 * Starts between the client manager (phase 0) and the adapters, and takes its time:
	 * it widens the window in which a broker delivers what it held for the session before
	 * the inbound adapter has registered.
	 */
	static final class DelayBeforeAdapters implements SmartLifecycle {

		private final Duration delay;

		private volatile boolean running;

		DelayBeforeAdapters(Duration delay) {
			this.delay = delay;
		}

		@Override
		public void start() {
			Awaitility.await().pollDelay(this.delay).atMost(this.delay.plusSeconds(5)).until(() -> true);
			this.running = true;
		}

		@Override
		public void stop() {
			this.running = false;
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getPhase() {
			return 1000;
		}

	}

	/** Takes what the inbound adapter sends. */
	public static class Receiver {

		private final BlockingQueue<Message<?>> received;

		Receiver(BlockingQueue<Message<?>> received) {
			this.received = received;
		}

		@ServiceActivator(inputChannel = "mqttInboundChannel")
		public void receive(Message<?> message) {
			this.received.add(message);
		}

	}

}
