package io.github.mqttsession.autoconfigure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.Databases;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;

/** One test per condition of {@link SessionStoreAutoConfiguration}. */
class SessionStoreAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class));

	private final ApplicationContextRunner withDatabase = this.runner
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void withoutADataSourceTheStoreIsInMemory() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(SessionStore.class)
			.getBean(SessionStore.class)
			.isInstanceOf(InMemorySessionStore.class));
	}

	@Test
	void withADataSourceAndHibernateTheStoreIsJpaAndItsTablesAreCreated() {
		this.withDatabase.run((context) -> {
			assertThat(context).hasSingleBean(SessionStore.class).hasSingleBean(MqttSessionSchemaInitializer.class);
			SessionStore store = context.getBean(SessionStore.class);
			assertThat(store).isInstanceOf(JpaSessionStore.class);
			store.setPacketId("auto", 3);
			assertThat(store.load("auto")).contains(new MqttSession(java.util.List.of(), java.util.List.of(), 3));
		});
	}

	@Test
	void withoutHibernateTheStoreIsInMemoryEvenWithADataSource() {
		this.withDatabase.withClassLoader(new FilteredClassLoader("org.hibernate"))
			.run((context) -> assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class));
	}

	@Test
	void storeMemoryKeepsSessionsInMemoryEvenWithADataSource() {
		this.withDatabase.withPropertyValues("mqtt.session.store=memory").run((context) -> {
			assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
			assertThat(context).doesNotHaveBean(MqttSessionSchemaInitializer.class);
		});
	}

	@Test
	void storeJpaWithADataSourceIsJpa() {
		this.withDatabase.withPropertyValues("mqtt.session.store=JPA")
			.run((context) -> assertThat(context.getBean(SessionStore.class)).isInstanceOf(JpaSessionStore.class));
	}

	@Test
	void aStoreOfTheApplicationsOwnReplacesTheBuiltInOnes() {
		this.withDatabase.withUserConfiguration(OwnStoreConfiguration.class)
			.withPropertyValues("mqtt.session.store=jpa")
			.run((context) -> {
				assertThat(context).hasSingleBean(SessionStore.class)
					.doesNotHaveBean(MqttSessionSchemaInitializer.class);
				assertThat(context.getBean(SessionStore.class)).isSameAs(context.getBean("ownStore"));
			});
	}

	@Test
	void storeJpaWithoutADataSourceFailsSayingWhatToAdd() {
		this.runner.withPropertyValues("mqtt.session.store=jpa").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription())
				.isEqualTo("mqtt.session.store=jpa asks for the JPA session store, but there is no DataSource bean.");
			assertThat(analysis.getAction()).contains("spring-boot-starter-data-jpa")
				.contains("spring.datasource.url")
				.contains("mqtt.session.store=memory");
		});
	}

	@Test
	void storeJpaWithoutHibernateFailsNamingHibernate() {
		this.withDatabase.withClassLoader(new FilteredClassLoader("org.hibernate"))
			.withPropertyValues("mqtt.session.store=jpa")
			.run((context) -> {
				FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription())
					.contains("Hibernate (org.hibernate.orm:hibernate-core) is not on the classpath");
			});
	}

	@Test
	void anUnknownStoreTypeFailsNamingThePropertyAndTheValue() {
		this.runner.withPropertyValues("mqtt.session.store=redis").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(rootCauseMessages(context.getStartupFailure())).contains("mqtt.session.store").contains("redis");
		});
	}

	@Test
	void anInvalidTablePrefixFailsNamingThePropertyAndTheRule() {
		this.withDatabase.withPropertyValues("mqtt.session.jpa.table-prefix=mqtt-session").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
					assertThat(ex.getName()).isEqualTo("mqtt.session.jpa.table-prefix");
					assertThat(ex.getValue()).isEqualTo("mqtt-session");
					assertThat(ex.getReason()).contains("letters, digits and underscores");
				});
		});
	}

	@Test
	void aTablePrefixNamesTheCreatedTables() {
		this.withDatabase.withPropertyValues("mqtt.session.jpa.table-prefix=DEVICE_").run((context) -> {
			context.getBean(SessionStore.class).setPacketId("prefixed", 1);
			assertThat(rowCount(context.getBean(DataSource.class), "DEVICE_SESSION")).isEqualTo(1);
			assertThat(tableExists(context.getBean(DataSource.class), "MQTT_SESSION")).isFalse();
		});
	}

	@Test
	void initializeSchemaNeverWithoutTablesFailsNamingTheTableAndTheScript() {
		this.withDatabase.withPropertyValues("mqtt.session.jpa.initialize-schema=never").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Table MQTT_SESSION of the JPA session store does not exist")
				.contains("schema-h2.sql");
			assertThat(analysis.getAction()).contains("mqtt.session.jpa.initialize-schema=always");
		});
	}

	@Test
	void initializeSchemaEmbeddedCreatesTablesInAnInMemoryDatabase() {
		this.withDatabase.withPropertyValues("mqtt.session.jpa.initialize-schema=embedded")
			.run((context) -> assertThat(context).hasNotFailed()
				.getBean(SessionStore.class)
				.isInstanceOf(JpaSessionStore.class));
	}

	@Test
	void initializeSchemaEmbeddedLeavesAFileDatabaseAloneAndFailsFast() {
		try (HikariDataSource file = Databases.newH2File()) {
			this.runner.withBean(DataSource.class, () -> file)
				.withPropertyValues("mqtt.session.jpa.initialize-schema=embedded")
				.run((context) -> assertThat(rootCauseMessages(context.getStartupFailure()))
					.contains("Table MQTT_SESSION of the JPA session store does not exist"));
		}
	}

	@Test
	void theMqttSessionDataSourceIsUsedWhenThereAreSeveral() {
		this.runner.withUserConfiguration(TwoDataSourcesConfiguration.class).run((context) -> {
			context.getBean(SessionStore.class).setPacketId("qualified", 1);
			assertThat(rowCount(context.getBean("sessionDataSource", DataSource.class), "MQTT_SESSION")).isEqualTo(1);
			assertThat(tableExists(context.getBean("applicationDataSource", DataSource.class), "MQTT_SESSION"))
				.isFalse();
		});
	}

	@Test
	void severalDataSourcesWithoutAQualifierOrPrimaryFailClearly() {
		this.runner.withUserConfiguration(TwoUnqualifiedDataSourcesConfiguration.class).run((context) -> {
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("several DataSources");
			assertThat(analysis.getAction()).contains("@MqttSessionDataSource");
		});
	}

	@Test
	void thePrimaryDataSourceIsUsedWhenThereAreSeveralAndNoneIsQualified() {
		this.runner.withUserConfiguration(PrimaryDataSourceConfiguration.class).run((context) -> {
			context.getBean(SessionStore.class).setPacketId("primary", 1);
			assertThat(rowCount(context.getBean("primaryDataSource", DataSource.class), "MQTT_SESSION")).isEqualTo(1);
		});
	}

	private static String rootCauseMessages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

	private static long rowCount(DataSource dataSource, String table) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				ResultSet rows = connection.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
			rows.next();
			return rows.getLong(1);
		}
	}

	private static boolean tableExists(DataSource dataSource, String table) throws SQLException {
		try (Connection connection = dataSource.getConnection();
				ResultSet tables = connection.getMetaData().getTables(null, null, table, null)) {
			return tables.next();
		}
	}

	private static HikariDataSource memoryDatabase() {
		return Databases.pooled("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnStoreConfiguration {

		@Bean
		SessionStore ownStore() {
			return new InMemorySessionStore();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoDataSourcesConfiguration {

		@Bean(destroyMethod = "close")
		@Primary
		HikariDataSource applicationDataSource() {
			return memoryDatabase();
		}

		@Bean(destroyMethod = "close")
		@MqttSessionDataSource
		HikariDataSource sessionDataSource() {
			return memoryDatabase();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TwoUnqualifiedDataSourcesConfiguration {

		@Bean(destroyMethod = "close")
		HikariDataSource firstDataSource() {
			return memoryDatabase();
		}

		@Bean(destroyMethod = "close")
		HikariDataSource secondDataSource() {
			return memoryDatabase();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryDataSourceConfiguration {

		@Bean(destroyMethod = "close")
		@Primary
		HikariDataSource primaryDataSource() {
			return memoryDatabase();
		}

		@Bean(destroyMethod = "close")
		HikariDataSource otherDataSource() {
			return memoryDatabase();
		}

	}

}
