package io.github.mqttsession.testsupport;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;

import static org.awaitility.Awaitility.await;

/**
 * Collects the inbound adapter's {@link MqttSubscribedEvent}s of a test context, so that
 * a test sends only once the adapter subscribed: a message sent before would not be
 * delivered to it.
 */
@Configuration(proxyBeanMethods = false)
public class SubscribedEvents {

	@Bean
	BlockingQueue<MqttSubscribedEvent> subscribedEventQueue() {
		return new LinkedBlockingQueue<>();
	}

	@Bean
	ApplicationListener<MqttSubscribedEvent> subscribedEventCollector(
			BlockingQueue<MqttSubscribedEvent> subscribedEventQueue) {
		return subscribedEventQueue::add;
	}

	/**
	 * Waits until the inbound adapter of a context with this configuration subscribed.
	 * @param context the context
	 * @param timeout how long to wait at most
	 */
	public static void awaitSubscribed(ApplicationContext context, Duration timeout) {
		BlockingQueue<?> subscribed = context.getBean("subscribedEventQueue", BlockingQueue.class);
		await().atMost(timeout).until(() -> !subscribed.isEmpty());
	}

}
