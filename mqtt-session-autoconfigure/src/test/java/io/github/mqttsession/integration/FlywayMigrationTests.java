package io.github.mqttsession.integration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application whose own Flyway migrations create the session tables from the shipped
 * PostgreSQL script, as the README's "Flyway and Liquibase" shows, with the starter's
 * schema initialisation off.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class FlywayMigrationTests {

	private static final String SHIPPED_SCRIPT = "io/github/mqttsession/store/jpa/schema-postgresql.sql";

	private static final String TABLE_PREFIX = "APP_MQTT_";

	@Test
	void tablesFromTheApplicationsOwnMigrationsKeepTheSession(@TempDir Path migrations) throws Exception {
		// The migration is the shipped script at the time of the test, so it cannot drift
		Files.writeString(migrations.resolve("V1__mqtt_session.sql"), shippedScriptWithPrefix(TABLE_PREFIX));
		Files.writeString(migrations.resolve("V2__sensor.sql"),
				"CREATE TABLE SENSOR (ID BIGINT PRIMARY KEY, NAME VARCHAR(255) NOT NULL);");
		String databaseUrl = newDatabase();
		String clientId = "flyway-app";
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.with("spring.datasource.url=" + databaseUrl, "spring.datasource.username=postgres",
					"spring.datasource.password=postgres", "spring.flyway.locations=filesystem:" + migrations,
					"mqtt.session.jpa.initialize-schema=never", "mqtt.session.jpa.table-prefix=" + TABLE_PREFIX,
					"mqtt.inbound.topics[0].filter=flyway/#", "mqtt.outbound.default-topic=flyway/out")
			.arguments("--spring.flyway.enabled=true");
		try (ConfigurableApplicationContext context = app.start()) {
			MqttApplicationRunner.awaitSubscribed(context);
			OfflinePublishingTests.send(context, "migrated");
			Message<?> received = received(context).poll(20, TimeUnit.SECONDS);
			assertThat(received).isNotNull();
			assertThat(received.getPayload()).isEqualTo("migrated");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> context.getBean(SessionStore.class)
					.load(clientId)
					.map(MqttSession::pendingMessages)
					.filter(List::isEmpty)
					.isPresent());
			assertThat(context.getBean(SessionStore.class).load(clientId).map(MqttSession::subscriptions))
				.hasValueSatisfying((subscriptions) -> assertThat(subscriptions).extracting(Subscription::topicFilter)
					.containsExactly("flyway/#"));
		}
		try (HikariDataSource database = Databases.postgres(databaseUrl)) {
			assertThat(Databases.queryString(database,
					"SELECT string_agg(script || ':' || success, ',' ORDER BY "
							+ "installed_rank) FROM flyway_schema_history"))
				.isEqualTo("V1__mqtt_session.sql:true,V2__sensor.sql:true");
			assertThat(Databases.queryString(database,
					"SELECT TOPIC_FILTER FROM " + TABLE_PREFIX + "SUBSCRIPTION WHERE CLIENT_ID = '" + clientId + "'"))
				.isEqualTo("flyway/#");
			assertThat(Databases.queryString(database,
					"SELECT count(*) FROM " + TABLE_PREFIX + "SESSION WHERE CLIENT_ID = '" + clientId + "'"))
				.isEqualTo("1");
		}
	}

	private static String shippedScriptWithPrefix(String prefix) throws IOException {
		try (InputStream script = FlywayMigrationTests.class.getClassLoader().getResourceAsStream(SHIPPED_SCRIPT)) {
			assertThat(script).as(SHIPPED_SCRIPT).isNotNull();
			return new String(script.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\bMQTT_", prefix);
		}
	}

	/**
	 * A database of its own on the shared server, so the migrations start from nothing
	 * and leave the other tests' tables alone.
	 */
	private static String newDatabase() {
		String name = "flyway_" + UUID.randomUUID().toString().replace("-", "");
		try (HikariDataSource server = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl())) {
			Databases.execute(server, "CREATE DATABASE " + name);
		}
		return "jdbc:postgresql://localhost:" + EmbeddedPostgresExtension.port() + "/" + name;
	}

	@SuppressWarnings("unchecked")
	private static BlockingQueue<Message<?>> received(ConfigurableApplicationContext context) {
		return context.getBean("received", BlockingQueue.class);
	}

}
