package io.github.mqttsession.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.MqttSessionProperties.StoreType;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * The ways to provide the {@link SessionStore}, imported in this order by
 * {@link SessionStoreAutoConfiguration}: the first that applies wins, and a store bean of
 * the application's own wins over all of them.
 */
final class SessionStoreConfigurations {

	private SessionStoreConfigurations() {
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = { "org.hibernate.SessionFactory",
			"org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer" })
	@ConditionalOnBean(DataSource.class)
	@ConditionalOnMissingBean(SessionStore.class)
	@ConditionalOnStoreType({ StoreType.AUTO, StoreType.JPA })
	static class Jpa {

		@Bean
		@ConditionalOnMissingBean
		MqttSessionSchemaInitializer mqttSessionSchemaInitializer(ObjectProvider<DataSource> dataSource,
				@MqttSessionDataSource ObjectProvider<DataSource> sessionDataSource, MqttSessionProperties properties) {
			MqttSessionProperties.Jpa jpa = properties.getJpa();
			DataSource store = storeDataSource(dataSource, sessionDataSource);
			try {
				// The first time anything connects to the database: before the script of
				// a
				// platform the store has none for is looked for
				JpaSessionStore.requireSupportedDatabase(store);
				return new MqttSessionSchemaInitializer(store, jpa.getInitializeSchema(),
						validTablePrefix(jpa.getTablePrefix()));
			}
			catch (RuntimeException ex) {
				RuntimeException explained = SessionDatabaseFailure.explain(ex, store, properties.getStore());
				if (explained != ex || !(ex instanceof SessionStoreException)) {
					throw explained;
				}
				throw new MqttSessionConfigurationException(
						ex.getMessage() + ". " + SessionDatabaseFailure.why(properties.getStore()) + ".",
						"Give the sessions an H2 or PostgreSQL DataSource (annotated @MqttSessionDataSource when the"
								+ " application has several), supply a SessionStore bean of your own, or keep sessions"
								+ " in memory with mqtt.session.store=memory.",
						ex);
			}
		}

		@Bean(destroyMethod = "close")
		JpaSessionStore sessionStore(ObjectProvider<DataSource> dataSource,
				@MqttSessionDataSource ObjectProvider<DataSource> sessionDataSource, MqttSessionProperties properties,
				MqttSessionSchemaInitializer schemaInitializer) {
			DataSource store = storeDataSource(dataSource, sessionDataSource);
			String tablePrefix = validTablePrefix(properties.getJpa().getTablePrefix());
			try {
				return new JpaSessionStore(store, tablePrefix, Clock.systemUTC());
			}
			catch (RuntimeException ex) {
				RuntimeException explained = SessionDatabaseFailure.explain(ex, store, properties.getStore());
				if (explained != ex || !(ex instanceof SessionStoreException)) {
					throw explained;
				}
				// The tables are missing
				throw new MqttSessionConfigurationException(ex.getMessage(),
						"Let the starter create the tables (mqtt.session.jpa.initialize-schema=always, the default),"
								+ " create them yourself from the script named above, or choose another store with"
								+ " mqtt.session.store=memory.",
						ex);
			}
		}

		private static DataSource storeDataSource(ObjectProvider<DataSource> dataSource,
				ObjectProvider<DataSource> sessionDataSource) {
			DataSource chosen = sessionDataSource.getIfAvailable(dataSource::getIfUnique);
			if (chosen == null) {
				throw new MqttSessionConfigurationException(
						"The JPA session store found several DataSources and cannot tell which one to use.",
						"Annotate the DataSource bean for sessions with @MqttSessionDataSource, or mark one DataSource"
								+ " @Primary.",
						null);
			}
			return chosen;
		}

		private static String validTablePrefix(String tablePrefix) {
			try {
				return JpaSessionStore.requireValidTablePrefix(tablePrefix);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.session.jpa.table-prefix", tablePrefix,
						ex.getMessage());
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(SessionStore.class)
	@ConditionalOnStoreType({ StoreType.AUTO, StoreType.MEMORY })
	static class InMemory {

		@Bean
		InMemorySessionStore sessionStore(MqttSessionProperties properties) {
			// The properties are bound here too, so that an invalid mqtt.session.store is
			// reported with its valid values even when no other bean needs them.
			return new InMemorySessionStore();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(SessionStore.class)
	@ConditionalOnStoreType(StoreType.JPA)
	static class JpaUnavailable {

		@Bean
		SessionStore sessionStore(ResourceLoader resourceLoader) {
			ClassLoader classLoader = resourceLoader.getClassLoader();
			boolean hibernate = ClassUtils.isPresent("org.hibernate.SessionFactory", classLoader);
			boolean jdbc = ClassUtils
				.isPresent("org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer", classLoader);
			String missing = !hibernate ? "Hibernate (org.hibernate.orm:hibernate-core) is not on the classpath"
					: !jdbc ? "Spring Boot's JDBC support (spring-boot-starter-jdbc) is not on the classpath"
							: "there is no DataSource bean";
			throw new MqttSessionConfigurationException(
					"mqtt.session.store=jpa asks for the JPA session store, but " + missing + ".",
					"Add spring-boot-starter-data-jpa (or spring-boot-starter-jdbc and hibernate-core) and a database"
							+ " driver such as com.h2database:h2 or org.postgresql:postgresql, and configure"
							+ " spring.datasource.url; or set mqtt.session.store=memory.",
					null);
		}

	}

}
