package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.integration.SessionStoreDecorator;
import io.github.mqttsession.metrics.MqttSessionMetrics;
import io.github.mqttsession.metrics.TimedSessionStore;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of Micrometer meters of durable MQTT sessions: the store's
 * operations, timed, and the messages each session holds, stores, completes, restores and
 * drops.
 */
@AutoConfiguration(after = { SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
public final class MqttSessionMetricsAutoConfiguration {

	/**
	 * The meters, a listener beside any of the application's own: the client
	 * auto-configuration tells every listener bean.
	 * @param meterRegistry the registry
	 * @param clients the client managers
	 * @return the meters
	 */
	@Bean
	@ConditionalOnMissingBean
	MqttSessionMetrics mqttSessionMetrics(MeterRegistry meterRegistry, ObjectProvider<SessionClientManager> clients) {
		return new MqttSessionMetrics(meterRegistry, clients::orderedStream);
	}

	@Bean
	@ConditionalOnMissingBean(name = "mqttSessionStoreTimer")
	SessionStoreDecorator mqttSessionStoreTimer(MeterRegistry meterRegistry) {
		return (store) -> new TimedSessionStore(store, meterRegistry);
	}

}
