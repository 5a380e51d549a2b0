package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Two instances on one database with one client id: one owner at a time. */
@ExtendWith(HiveMqExtension.class)
class SessionLeaseTests {

	@Test
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "org.springframework.boot.SpringApplication",
			message = "Application run failed", exceptionMessage = "holds the lease on its session",
			reason = "the second instance is refused on purpose")
	void aSecondInstanceIsRefusedNamingTheOwnerAndTakesOverOnceTheFirstStops() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "leased")
			.with("mqtt.session.lease.duration=3s");
		try (ConfigurableApplicationContext first = app.start("mqtt.session.lease.owner=instance-1")) {
			assertThatException().isThrownBy(() -> app.start("mqtt.session.lease.owner=instance-2").close())
				.withStackTraceContaining("Client id 'leased' is in use by instance 'instance-1'")
				.withStackTraceContaining("mqtt.session.lease.wait-for-takeover");
			assertThat(first.getBean(SessionClientManager.class).isConnected()).isTrue();
		}
		try (ConfigurableApplicationContext second = app.start("mqtt.session.lease.owner=instance-2")) {
			assertThat(second.getBean(SessionClientManager.class).isConnected()).isTrue();
		}
	}

	@Test
	void anInstanceWaitsForTheLeaseOfACrashedOneToRunOutAndTakesOver() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "taken-over");
		Instant leaseEnd = Instant.now().plusSeconds(3);
		try (HikariDataSource dataSource = Databases.pooled(app.databaseUrl(), "sa", "")) {
			Databases.createTables(dataSource);
			try (JpaSessionStore store = new JpaSessionStore(dataSource)) {
				assertThat(store.acquireLease("taken-over", "crashed-instance", Duration.ofSeconds(3))).isEmpty();
			}
		}
		try (ConfigurableApplicationContext context = app.start("mqtt.session.lease.owner=successor",
				"mqtt.session.lease.wait-for-takeover=true")) {
			assertThat(Instant.now()).isAfterOrEqualTo(leaseEnd);
			assertThat(context.getBean(SessionClientManager.class).isConnected()).isTrue();
			assertThat(context.getBean(JpaSessionStore.class).listSessions())
				.filteredOn((summary) -> summary.clientId().equals("taken-over"))
				.singleElement()
				.satisfies((summary) -> assertThat(summary.owner()).isEqualTo("successor"));
		}
	}

	@Test
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "org.springframework.boot.SpringApplication",
			message = "Application run failed", exceptionMessage = "holds the lease on its session",
			reason = "the second instance is refused on purpose")
	void withoutWaitingAnInstanceIsRefusedWhileACrashedOnesLeaseIsLive() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "still-leased");
		try (HikariDataSource dataSource = Databases.pooled(app.databaseUrl(), "sa", "")) {
			Databases.createTables(dataSource);
			try (JpaSessionStore store = new JpaSessionStore(dataSource)) {
				store.acquireLease("still-leased", "crashed-instance", Duration.ofMinutes(5));
			}
		}
		assertThatException().isThrownBy(() -> app.start("mqtt.session.lease.owner=newcomer").close())
			.withStackTraceContaining("in use by instance 'crashed-instance'");
	}

}
