package io.github.mqttsession.integration;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.StaticMessageHeaderAccessor;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With manual acknowledgement, a message the application did not acknowledge comes again
 * after a restart.
 */
@ExtendWith(HiveMqExtension.class)
class InboundAcknowledgementTests {

	@Test
	@SuppressWarnings("unchecked")
	void anUnacknowledgedMessageIsDeliveredAgainAndAnAcknowledgedOneIsNot() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "manual-acks")
			.with("mqtt.inbound.topics[0].filter=acks/#", "mqtt.inbound.acknowledgement=manual");
		try (ConfigurableApplicationContext context = app.start()) {
			// A new session has no subscription at the broker until the adapter made it
			assertThat(context.getBean("subscribedEvents", BlockingQueue.class).poll(20, TimeUnit.SECONDS)).isNotNull();
			MqttSessionRestartTests.publish("acks/first", "not acknowledged");
			assertThat(MqttSessionRestartTests.receive(context, 1)).containsExactly("acks/first=not acknowledged");
		}
		try (ConfigurableApplicationContext context = app.start()) {
			BlockingQueue<Message<?>> received = context.getBean("received", BlockingQueue.class);
			Message<?> again = received.poll(20, TimeUnit.SECONDS);
			assertThat(again).isNotNull();
			assertThat(again.getPayload()).hasToString("not acknowledged");
			StaticMessageHeaderAccessor.getAcknowledgment(again).acknowledge();
		}
		try (ConfigurableApplicationContext context = app.start()) {
			MqttSessionRestartTests.publish("acks/second", "after");
			List<String> received = MqttSessionRestartTests.receive(context, 1);
			assertThat(received).containsExactly("acks/second=after");
		}
	}

}
