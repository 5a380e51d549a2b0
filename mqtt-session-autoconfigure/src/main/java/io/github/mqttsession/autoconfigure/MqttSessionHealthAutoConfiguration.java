package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import io.github.mqttsession.actuate.MqttSessionHealthIndicator;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.store.SessionStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code mqttSession} health indicator: the store answers, and
 * every client is connected and holds its session.
 */
@AutoConfiguration(after = { SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class })
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(SessionStore.class)
@ConditionalOnEnabledHealthIndicator("mqttsession")
@EnableConfigurationProperties(MqttSessionHealthProperties.class)
public final class MqttSessionHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(value = MqttSessionHealthIndicator.class, name = "mqttSessionHealthIndicator")
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
