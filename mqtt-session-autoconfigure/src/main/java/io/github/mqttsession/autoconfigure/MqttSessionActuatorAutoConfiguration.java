package io.github.mqttsession.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import io.github.mqttsession.integration.MqttSessionHealthIndicator;
import io.github.mqttsession.integration.MqttSessionMetrics;
import io.github.mqttsession.integration.MqttSessionsEndpoint;
import io.github.mqttsession.integration.MqttSessionsEndpointWebExtension;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.integration.SessionStoreDecorator;
import io.github.mqttsession.integration.TimedSessionStore;
import io.github.mqttsession.paho.SessionPersistenceListener;
import io.github.mqttsession.store.SessionStore;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the operational side of durable MQTT sessions: the {@code mqttsessions} actuator endpoint
 * (when the application exposes it), the {@code mqttSession} health indicator, and Micrometer meters of the store's
 * operations and of the messages each session holds, stores, completes, restores and drops.
 */
@AutoConfiguration(after = { SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
public final class MqttSessionActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
	@ConditionalOnBean(SessionStore.class)
	@ConditionalOnAvailableEndpoint(MqttSessionsEndpoint.class)
	static class EndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MqttSessionsEndpoint mqttSessionsEndpoint(SessionStore sessionStore,
				ObjectProvider<SessionClientManager> clients) {
			return new MqttSessionsEndpoint(sessionStore, clients::orderedStream, Clock.systemUTC());
		}

		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnAvailableEndpoint(endpoint = MqttSessionsEndpoint.class, exposure = EndpointExposure.WEB)
		MqttSessionsEndpointWebExtension mqttSessionsEndpointWebExtension(MqttSessionsEndpoint endpoint) {
			return new MqttSessionsEndpointWebExtension(endpoint);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
	@ConditionalOnBean(SessionStore.class)
	@ConditionalOnEnabledHealthIndicator("mqttsession")
	@EnableConfigurationProperties(MqttSessionHealthProperties.class)
	static class HealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "mqttSessionHealthIndicator")
		MqttSessionHealthIndicator mqttSessionHealthIndicator(SessionStore sessionStore,
				ObjectProvider<SessionClientManager> clients, MqttSessionHealthProperties properties) {
			Duration storeTimeout = properties.getStoreTimeout();
			if (storeTimeout.isNegative() || storeTimeout.isZero()) {
				throw new InvalidConfigurationPropertyValueException("management.health.mqttsession.store-timeout",
						storeTimeout, "The store timeout must be positive, such as 2s.");
			}
			return new MqttSessionHealthIndicator(sessionStore, clients::orderedStream, storeTimeout);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		/**
		 * The client auto-configuration uses one listener; an application's own listener replaces this one, and the
		 * message counters with it.
		 */
		@Bean
		@ConditionalOnMissingBean(SessionPersistenceListener.class)
		MqttSessionMetrics mqttSessionMetrics(MeterRegistry meterRegistry,
				ObjectProvider<SessionClientManager> clients) {
			return new MqttSessionMetrics(meterRegistry, clients::orderedStream);
		}

		@Bean
		@ConditionalOnMissingBean(name = "mqttSessionStoreTimer")
		SessionStoreDecorator mqttSessionStoreTimer(MeterRegistry meterRegistry) {
			return (store) -> new TimedSessionStore(store, meterRegistry);
		}

	}

}
