package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.store.SessionStore;
import org.springframework.boot.autoconfigure.AutoConfiguration;
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

}
