package io.github.mqttsession.apps;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.apps.plain.DeviceRegistration;
import io.github.mqttsession.apps.plain.DeviceRepository;
import io.github.mqttsession.apps.plain.PlainApplication;
import io.github.mqttsession.apps.scanned.ScannedApplication;
import io.github.mqttsession.apps.scanned.model.Sensor;
import io.github.mqttsession.apps.scanned.model.SensorRepository;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.Databases;
import org.junit.jupiter.api.Test;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Whole applications with entities and repositories of their own, with and without
 * {@code @EntityScan} and {@code @EnableJpaRepositories}: theirs and ours keep working
 * side by side.
 */
class ApplicationCoexistenceTests {

	private final String url = "jdbc:h2:file:" + Path.of("target", "h2", "app-" + UUID.randomUUID()).toAbsolutePath()
			+ ";WRITE_DELAY=0";

	@Test
	void defaultScanningFindsTheApplicationsEntitiesBesideTheStore() {
		try (ConfigurableApplicationContext context = start(PlainApplication.class)) {
			assertThat(context.getBean(SessionStore.class)).isInstanceOf(JpaSessionStore.class);
			DeviceRepository devices = context.getBean(DeviceRepository.class);
			devices.save(new io.github.mqttsession.apps.plain.Device("thermostat"));
			context.getBean(SessionStore.class).addSubscription("thermostat", new Subscription("heating/#", 1));
			assertThat(devices.findAll()).extracting("name").containsExactly("thermostat");
			assertThat(context.getBean(SessionStore.class).load("thermostat")).isPresent();
		}
	}

	@Test
	void entityScanAndEnableJpaRepositoriesKeepWorkingBesideTheStore() {
		try (ConfigurableApplicationContext context = start(ScannedApplication.class)) {
			SensorRepository sensors = context.getBean(SensorRepository.class);
			sensors.save(new Sensor("humidity"));
			context.getBean(SessionStore.class).setPacketId("humidity", 9);
			assertThat(sensors.findAll()).extracting(Sensor::getName).containsExactly("humidity");
			assertThat(context.getBean(SessionStore.class).load("humidity").orElseThrow().packetId()).isEqualTo(9);
		}
	}

	@Test
	void storeWritesAreNotRolledBackWithTheCallersTransaction() {
		try (ConfigurableApplicationContext context = start(PlainApplication.class)) {
			assertThatIllegalStateException()
				.isThrownBy(() -> context.getBean(DeviceRegistration.class).registerThenFail("door"));
			assertThat(context.getBean(DeviceRepository.class).count()).isZero();
			assertThat(context.getBean(SessionStore.class).load("door").orElseThrow().subscriptions())
				.containsExactly(new Subscription("devices/door/#", 1));
		}
	}

	@Test
	void theApplicationsCreateDropLeavesTheSessionTablesAlone() throws SQLException {
		try (ConfigurableApplicationContext context = start(PlainApplication.class)) {
			context.getBean(SessionStore.class).setPacketId("survivor", 77);
		}
		try (HikariDataSource dataSource = Databases.pooled(this.url, "sa", "");
				Connection connection = dataSource.getConnection();
				ResultSet row = connection.createStatement()
					.executeQuery("SELECT PACKET_ID FROM MQTT_SESSION WHERE CLIENT_ID = 'survivor'")) {
			assertThat(row.next()).isTrue();
			assertThat(row.getInt(1)).isEqualTo(77);
		}
	}

	private ConfigurableApplicationContext start(Class<?> application) {
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE)
			.properties("spring.datasource.url=" + this.url, "spring.datasource.username=sa",
					"spring.jpa.hibernate.ddl-auto=create-drop", "spring.main.banner-mode=off",
					"mqtt.client.enabled=false")
			.run();
	}

}
