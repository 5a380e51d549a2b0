package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.mqttsession.metrics.MqttSessionMetrics;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.MoquetteExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every {@link SessionPersistenceListener} bean, the meters and the application's own,
 * hears what the client's session persistence does.
 */
@ExtendWith(MoquetteExtension.class)
class SessionPersistenceListenerBeansTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				MqttSessionMetricsAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(), "mqtt.client.completion-timeout=5s",
				"mqtt.client.quiescent-timeout=0s", "mqtt.client.disconnect-timeout=1s", "mqtt.inbound.enabled=false",
				"mqtt.outbound.default-topic=listeners/all");

	@Test
	void theMetersAreThereBesideTheApplicationsOwnListener() {
		this.runner.withPropertyValues("mqtt.client.client-id=listeners-beside")
			.withUserConfiguration(OwnListenerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(MqttSessionMetrics.class)
				.getBeans(SessionPersistenceListener.class)
				.hasSize(3));
	}

	@Test
	@ExpectedLog(level = ExpectedLog.Level.WARN,
			logger = "io.github.mqttsession.persistence.CompositeSessionPersistenceListener",
			message = "failed on persisted", reason = "the application's broken listener")
	void theApplicationsListenerAndTheMetersBothHearAPersistedMessagePastAFailingListener() {
		this.runner.withPropertyValues("mqtt.client.client-id=listeners-all")
			.withUserConfiguration(OwnListenerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				await().atMost(Duration.ofSeconds(20)).until(context.getBean(ClientManager.class)::isConnected);
				// QoS 2: written before it is sent, so never made needless by its
				// acknowledgement as a QoS 1 message may be
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("heard by all").setHeader(MqttHeaders.QOS, 2).build());
				Recording own = context.getBean(Recording.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					assertThat(own.persisted).contains("listeners-all heard by all");
					assertThat(registry.get(MqttSessionMetrics.PERSISTED)
						.tags("client.id", "listeners-all", "state", "OUTBOUND_PUBLISH")
						.counter()
						.count()).isEqualTo(1);
				});
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnListenerConfiguration {

		@Bean
		@Order(1)
		SessionPersistenceListener brokenListener() {
			return new SessionPersistenceListener() {

				@Override
				public void persisted(String clientId, PendingMessage message) {
					throw new IllegalStateException("broken on purpose");
				}

			};
		}

		@Bean
		@Order(2)
		Recording ownListener() {
			return new Recording();
		}

	}

	static class Recording implements SessionPersistenceListener {

		final List<String> persisted = new CopyOnWriteArrayList<>();

		@Override
		public void persisted(String clientId, PendingMessage message) {
			this.persisted.add(clientId + " " + new String(message.payload()));
		}

	}

}
