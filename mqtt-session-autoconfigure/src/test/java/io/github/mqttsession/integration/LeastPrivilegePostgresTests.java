package io.github.mqttsession.integration;

import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedStartupFailureReport;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An application whose PostgreSQL user may read and write the session tables but not
 * create anything, at default settings: the tables an administrator created from the
 * shipped script are enough, and without them start-up says what to run.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class, OutputCaptureExtension.class })
class LeastPrivilegePostgresTests {

	private static final String SCRIPT = "io/github/mqttsession/store/jpa/schema-postgresql.sql";

	@Test
	void startsOnTablesAnAdministratorCreatedAndKeepsTheSession() throws Exception {
		LeastPrivilegeDatabase database = LeastPrivilegeDatabase.create(true);
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "least-privilege")
			.with(database.properties())
			.with("mqtt.inbound.topics[0].filter=readings/#", "mqtt.outbound.default-topic=readings/boiler");
		try (ConfigurableApplicationContext context = app.start()) {
			assertThat(Databases.queryString(context.getBean(DataSource.class), "SELECT current_user"))
				.isEqualTo(database.role());
			MqttApplicationRunner.awaitSubscribed(context);
			OfflinePublishingTests.send(context, "61.5");
			assertThat(MqttSessionRestartTests.receive(context, 1)).containsExactly("readings/boiler=61.5");
		}
		try (HikariDataSource admin = database.asAdministrator()) {
			assertThat(Databases.queryString(admin,
					"SELECT TOPIC_FILTER FROM MQTT_SUBSCRIPTION WHERE CLIENT_ID = 'least-privilege'"))
				.isEqualTo("readings/#");
			assertThat(Databases.queryString(admin, "SELECT COUNT(*) FROM MQTT_SESSION")).isEqualTo("1");
		}
	}

	@Test
	@ExpectedStartupFailureReport
	void withoutTheTablesStartUpFailsNamingThemTheUserAndTheScript(CapturedOutput output) {
		LeastPrivilegeDatabase database = LeastPrivilegeDatabase.create(false);
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "least-privilege-empty")
			.with(database.properties());
		assertThatException().isThrownBy(() -> app.start().close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains(
					"The JPA session store's schema is incomplete: table MQTT_SESSION, index MQTT_SESSION_UPDATED_IX,")
			.contains("as database user '" + database.role() + "'")
			.contains("permission denied for schema public")
			.contains("Have a database user that may create tables run classpath:" + SCRIPT);
	}

	/**
	 * A new database on the shared server where only the administrator may create
	 * anything, and a role that may only read and write its tables.
	 */
	private record LeastPrivilegeDatabase(String name, String role) {

		static LeastPrivilegeDatabase create(boolean withTables) {
			String suffix = UUID.randomUUID().toString().substring(0, 8);
			LeastPrivilegeDatabase database = new LeastPrivilegeDatabase("least_" + suffix, "app_" + suffix);
			try (HikariDataSource server = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl())) {
				Databases.execute(server, "CREATE DATABASE " + database.name(),
						"CREATE ROLE " + database.role() + " LOGIN PASSWORD 'app'");
			}
			try (HikariDataSource admin = database.asAdministrator()) {
				if (withTables) {
					new ResourceDatabasePopulator(new ClassPathResource(SCRIPT)).execute(admin);
				}
				Databases.execute(admin, "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
						"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + database.role(),
						"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO " + database.role());
			}
			return database;
		}

		/** The URL names no user: PostgreSQL's driver lets one in the URL win. */
		String url() {
			return "jdbc:postgresql://localhost:" + EmbeddedPostgresExtension.port() + "/" + this.name;
		}

		HikariDataSource asAdministrator() {
			return Databases.postgres(url());
		}

		String[] properties() {
			return new String[] { "spring.datasource.url=" + url(), "spring.datasource.username=" + this.role,
					"spring.datasource.password=app" };
		}

	}

}
