package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.apps.channels.ChannelsApplication;
import io.github.mqttsession.testsupport.HiveMqExtension;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.ErrorMessage;

import static org.awaitility.Awaitility.await;

/**
 * Starts {@link ChannelsApplication} against the shared broker and reads what it
 * collected.
 */
final class ChannelsApplicationProbe {

	private ChannelsApplicationProbe() {
	}

	static MqttApplicationRunner runner(String clientId) {
		return new MqttApplicationRunner(ChannelsApplication.class, HiveMqExtension.url(), clientId);
	}

	/** Waits until the inbound adapter's subscription is in place at the broker. */
	static void awaitSubscribed(ConfigurableApplicationContext context) {
		BlockingQueue<?> events = context.getBean("connectionEvents", BlockingQueue.class);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> events.stream().anyMatch(MqttSubscribedEvent.class::isInstance));
	}

	/**
	 * The payloads of the next messages the consumer took, up to {@code count}, waiting
	 * at most 20 seconds.
	 */
	@SuppressWarnings("unchecked")
	static List<String> received(ConfigurableApplicationContext context, int count) throws InterruptedException {
		BlockingQueue<Message<?>> received = context.getBean("received", BlockingQueue.class);
		List<String> payloads = new ArrayList<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (payloads.size() < count && System.nanoTime() < deadline) {
			Message<?> message = received.poll(100, TimeUnit.MILLISECONDS);
			if (message != null) {
				payloads.add(ChannelsApplication.text(message));
			}
		}
		return payloads;
	}

	@SuppressWarnings("unchecked")
	static List<ErrorMessage> errors(ConfigurableApplicationContext context) {
		return List.copyOf(context.getBean("errors", BlockingQueue.class));
	}

	/** The subscribed and connection-failed events so far. */
	static List<?> connectionEvents(ConfigurableApplicationContext context) {
		return List.copyOf(context.getBean("connectionEvents", BlockingQueue.class));
	}

}
