package io.github.mqttsession.integration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * An instance loses the lease on its session to another instance, as one paused past its
 * lease would: it stops publishing and disconnects, its publishes fail saying why, health
 * is DOWN naming the client, and it writes nothing more to the session; started again
 * once the other instance gave the lease up, it takes the session back. A database outage
 * that outlasts the lease disconnects the client too, until the store confirms that
 * nobody took the session over.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class LeaseLossTests {

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "io.github.mqttsession.persistence",
			message = "no longer holds the lease", reason = "the loss of the lease is reported")
	@ExpectedLog(logger = "org.springframework.integration", reason = "the refused send is reported")
	void anInstanceThatLostItsLeaseStopsPublishingAndWritesNothingMore(String version) throws Exception {
		String clientId = "lease-lost-v" + version + "-" + System.nanoTime();
		String topic = "lease-lost/" + version;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId).with(
				"mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic,
				"mqtt.session.lease.duration=3s", "mqtt.session.lease.owner=paused-instance",
				"management.endpoint.health.show-details=always");
		try (Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 2);
				ConfigurableApplicationContext context = app.start();
				HikariDataSource dataSource = Databases.pooled(app.databaseUrl(), "sa", "");
				JpaSessionStore other = new JpaSessionStore(dataSource)) {
			SessionClientManager client = context.getBean(SessionClientManager.class);
			OfflinePublishingTests.send(context, "before", 2);
			await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("before"));

			// The lease runs out as if the instance had been paused, and another takes
			// the session over (before a renewal extends it again)
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				expireLease(dataSource, clientId);
				return other.acquireLease(clientId, "next-instance", Duration.ofMinutes(1)).isEmpty();
			});

			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				IndicatedHealthDescriptor down = (IndicatedHealthDescriptor) health.healthForPath("mqttSession");
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails().get("clients").toString()).contains(clientId + "=taken over");
				assertThat(down.getDetails().get("lastConnectFailure").toString()).contains("next-instance");
			});
			await().atMost(Duration.ofSeconds(20)).until(() -> !client.isConnected());
			Throwable refused = catchThrowable(() -> OfflinePublishingTests.send(context, "after", 2));
			assertThat(OfflinePublishingTests.causeOf(refused, SessionLeaseLostException.class))
				.hasMessageContaining("'paused-instance' no longer holds the lease")
				.hasMessageContaining("instance 'next-instance' took the session over");
			SessionStore store = context.getBean(SessionStore.class);
			assertThat(store.load(clientId).orElseThrow().pendingMessages()).extracting(PendingMessage::payload)
				.isEmpty();
			assertThat(client.isConnected()).isFalse();
			assertThat(subscriber.received()).containsExactly("before");

			// Given back by the other instance, a restart of the client takes the
			// session back
			other.releaseLease(clientId, "next-instance");
			context.stop();
			context.start();
			await().atMost(Duration.ofSeconds(20)).until(client::isConnected);
			OfflinePublishingTests.send(context, "taken back", 2);
			await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("taken back"));
			assertThat(subscriber.received()).containsExactly("before", "taken back");
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	@ExpectedLog(logger = "com.zaxxer.hikari", reason = "the connection pool reports the database it cannot reach")
	@ExpectedLog(logger = "io.github.mqttsession", reason = "the outage and the lease it outlasted are reported")
	@ExpectedLog(logger = "org.springframework.integration", reason = "the failed connects are reported")
	@ExpectedLog(logger = "org.eclipse.paho", reason = "Paho reports the session it could not open")
	void aDatabaseOutageLongerThanTheLeaseDisconnectsTheClientUntilTheStoreConfirmsItsLease(String version)
			throws Exception {
		String clientId = "lease-outlasted-v" + version + "-" + System.nanoTime();
		String topic = "lease-outlasted/" + version;
		try (TcpProxy database = TcpProxy.forAnyProtocol("127.0.0.1", EmbeddedPostgresExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 2)) {
			MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId).with(
					"spring.datasource.url=jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres",
					"spring.datasource.username=postgres", "spring.datasource.password=postgres",
					"spring.datasource.hikari.connection-timeout=1000", "mqtt.client.protocol-version=" + version,
					"mqtt.outbound.default-topic=" + topic, "mqtt.session.lease.duration=3s");
			try (ConfigurableApplicationContext context = app.start()) {
				SessionClientManager client = context.getBean(SessionClientManager.class);
				OfflinePublishingTests.send(context, "before", 2);
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("before"));

				database.cut();
				// Unrenewed past its end, the lease may be another instance's by now: the
				// client disconnects rather than risk throwing that one off the broker
				await().atMost(Duration.ofSeconds(30)).until(() -> !client.isConnected());
				Throwable refused = catchThrowable(() -> OfflinePublishingTests.send(context, "during", 2));
				assertThat(refused).isNotNull();

				database.resume();
				// Nobody took the session over: it goes on by itself
				await().atMost(Duration.ofSeconds(60)).until(client::isConnected);
				OfflinePublishingTests.send(context, "after", 2);
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("after"));
				assertThat(subscriber.received()).containsOnlyOnce("before", "after").doesNotContain("during");
			}
		}
	}

	private static void expireLease(HikariDataSource dataSource, String clientId) throws Exception {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement expire = connection.prepareStatement(
						"UPDATE MQTT_SESSION SET LEASE_EXPIRES_AT = DATEADD(MINUTE, -1, CURRENT_TIMESTAMP)"
								+ " WHERE CLIENT_ID = ?")) {
			expire.setString(1, clientId);
			assertThat(expire.executeUpdate()).isOne();
		}
	}

}
