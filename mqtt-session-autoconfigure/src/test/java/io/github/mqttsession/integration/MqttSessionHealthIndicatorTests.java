package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.autoconfigure.MqttSessionActuatorAutoConfiguration;
import io.github.mqttsession.autoconfigure.SessionStoreAutoConfiguration;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
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

/** The {@code mqttSession} health: the store answering, and every MQTT client connected to a real broker. */
@ExtendWith(HiveMqExtension.class)
class MqttSessionHealthIndicatorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttSessionActuatorAutoConfiguration.class));

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
					.hasEntrySatisfying("error", (error) -> assertThat(error.toString())
						.contains(MqttSessionHealthIndicator.PROBE_CLIENT_ID)
						.contains("the database is down (simulated)"));

				counting.setDown(false);
				assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			});
		}
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
					.untilAsserted(() -> assertThat(health.healthForPath("mqttSession").getStatus()).isEqualTo(Status.UP));
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
