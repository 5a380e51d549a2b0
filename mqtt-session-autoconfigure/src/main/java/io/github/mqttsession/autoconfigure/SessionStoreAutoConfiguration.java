package io.github.mqttsession.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import io.github.mqttsession.integration.SessionExpiry;
import io.github.mqttsession.store.SessionStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of the {@link SessionStore}: JPA on the application's DataSource when Hibernate is present,
 * in memory otherwise, and neither when the application defines a store of its own.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@EnableConfigurationProperties(MqttSessionProperties.class)
@Import({ SessionStoreConfigurations.Jpa.class, SessionStoreConfigurations.InMemory.class,
		SessionStoreConfigurations.JpaUnavailable.class })
public final class SessionStoreAutoConfiguration {

	static final String STORE_PROPERTY = "mqtt.session.store";

	@Bean
	@ConditionalOnProperty("mqtt.session.expiry")
	@ConditionalOnMissingBean
	SessionExpiry mqttSessionExpiry(SessionStore sessionStore, MqttSessionProperties properties) {
		Duration expiry = properties.getExpiry();
		Duration interval = properties.getCleanupInterval();
		if (expiry.isNegative() || expiry.isZero()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.expiry", expiry,
					"It must be positive, such as 7d; leave it unset to keep sessions until deleted.");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.cleanup-interval", interval,
					"It must be positive, such as 1h.");
		}
		try {
			sessionStore.deleteSessionsIdleSince(Instant.EPOCH);
		}
		catch (UnsupportedOperationException ex) {
			throw new MqttSessionConfigurationException("mqtt.session.expiry is set, but the session store "
					+ sessionStore.getClass().getName() + " cannot delete idle sessions.",
					"Implement SessionStore.deleteSessionsIdleSince in the store, or unset mqtt.session.expiry.", ex);
		}
		return new SessionExpiry(sessionStore, expiry, interval, Clock.systemUTC());
	}

}
