package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.actuate.MqttSessionHealthIndicator;
import io.github.mqttsession.autoconfigure.MqttSessionHealthAutoConfiguration;
import io.github.mqttsession.autoconfigure.SessionStoreAutoConfiguration;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.map;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The {@code mqttSession} health: the store answering, and every MQTT client connected to
 * a real broker.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class MqttSessionHealthIndicatorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttSessionHealthAutoConfiguration.class));

	@Test
	void theIndicatorIsThereUnlessSwitchedOff() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(MqttSessionHealthIndicator.class)
			.hasBean("mqttSessionHealthIndicator"));
		this.runner.withPropertyValues("management.health.mqttsession.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MqttSessionHealthIndicator.class));
		this.runner.withPropertyValues("management.health.mqttSession.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MqttSessionHealthIndicator.class));
	}

	@Test
	void anIndicatorOfTheApplicationsOwnReplacesTheBuiltInOne() {
		this.runner.withUserConfiguration(OwnIndicatorConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean(MqttSessionHealthIndicator.class);
			assertThat(context.getBean("mqttSessionHealthIndicator", HealthIndicator.class).health().getStatus())
				.isEqualTo(Status.OUT_OF_SERVICE);
		});
	}

	@Test
	void aStoreThatCannotBeReachedIsDownWithTheErrorAndUpAgainOnceItAnswers() {
		try (HikariDataSource database = Databases.newH2File()) {
			CountingDataSource counting = new CountingDataSource(database);
			this.runner.withBean(DataSource.class, counting::dataSource).run((context) -> {
				MqttSessionHealthIndicator indicator = context.getBean(MqttSessionHealthIndicator.class);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
				assertThat(indicator.health().getDetails()).containsEntry("store",
						Map.of("type", JpaSessionStore.class.getName(), "status", "reachable"));

				counting.setDown(true);
				Health down = indicator.health();

				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails().get("store")).asInstanceOf(map(String.class, Object.class))
					.containsEntry("status", "unreachable")
					.hasEntrySatisfying("error",
							(error) -> assertThat(error.toString()).contains(MqttSessionHealthIndicator.PROBE_CLIENT_ID)
								.contains("the database is down (simulated)"));

				counting.setDown(false);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			});
		}
	}

	@Test
	@ExpectedLog(logger = "com.zaxxer.hikari", reason = "the connection pool reports the database it cannot reach")
	void aDatabaseThatStopsAnsweringIsDownWithinTheStoreTimeoutAndUpAgainOnceItAnswers() {
		try (TcpProxy proxy = TcpProxy.forAnyProtocol("127.0.0.1", EmbeddedPostgresExtension.port());
				HikariDataSource database = Databases
					.pooled("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", "postgres", "postgres")) {
			this.runner.withBean(DataSource.class, () -> database).run((context) -> {
				MqttSessionHealthIndicator indicator = context.getBean(MqttSessionHealthIndicator.class);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);

				// The query goes out and no answer comes back: the driver would wait for
				// ever
				proxy.holdBrokerToClient(true);
				assertStoreDown(indicator, "The store did not answer within 2s");
				// The question is still out: a second check waits for the same answer,
				// and gives up as soon
				assertStoreDown(indicator, "The store did not answer within 2s");
				proxy.holdBrokerToClient(false);
				await().atMost(Duration.ofSeconds(20)).until(() -> indicator.health().getStatus() == Status.UP);

				// Every connection reset and new ones refused: the pool waits for a
				// connection (30 s by default)
				proxy.cut();
				assertStoreDown(indicator, "");
				assertStoreDown(indicator, "");
				proxy.resume();
				await().atMost(Duration.ofSeconds(60)).until(() -> indicator.health().getStatus() == Status.UP);
			});
		}
	}

	private static void assertStoreDown(MqttSessionHealthIndicator indicator, String error) {
		// Well above the 2 s store timeout, well below the pool's 30 s: a bound on
		// behaviour, not a speed target
		Health down = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> indicator.health());
		assertThat(down.getStatus()).isEqualTo(Status.DOWN);
		assertThat(down.getDetails().get("store")).asInstanceOf(map(String.class, Object.class))
			.containsEntry("status", "unreachable")
			.hasEntrySatisfying("error", (message) -> assertThat(message.toString()).contains(error));
	}

	@Test
	void aStoreTimeoutThatIsNotPositiveIsRefused() {
		this.runner.withPropertyValues("management.health.mqttsession.store-timeout=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("management.health.mqttsession.store-timeout")
				.hasMessageContaining("must be positive"));
	}

	@Test
	void aClientThatLosesItsBrokerIsDownByClientIdAndUpAgainOnceReconnected() throws Exception {
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "health-client")
				.with("management.endpoint.health.show-details=always", "mqtt.client.max-reconnect-delay=1s");
			try (ConfigurableApplicationContext context = app.start()) {
				HealthEndpoint health = context.getBean(HealthEndpoint.class);
				IndicatedHealthDescriptor up = (IndicatedHealthDescriptor) health.healthForPath("mqttSession");
				assertThat(up.getStatus()).isEqualTo(Status.UP);
				assertThat(up.getDetails()).containsEntry("clients", Map.of("health-client", "connected"));

				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				IndicatedHealthDescriptor down = (IndicatedHealthDescriptor) health.healthForPath("mqttSession");

				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails()).containsEntry("clients", Map.of("health-client", "disconnected"));
				assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);

				proxy.resume();
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(
							() -> assertThat(health.healthForPath("mqttSession").getStatus()).isEqualTo(Status.UP));
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnIndicatorConfiguration {

		@Bean
		HealthIndicator mqttSessionHealthIndicator() {
			return () -> Health.outOfService().build();
		}

	}

}
