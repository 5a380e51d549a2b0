package io.github.mqttsession.integration;

import java.time.Duration;

import io.github.mqttsession.metrics.TimedSessionStore;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The database of a JPA store on PostgreSQL becomes unreachable while the broker stays
 * up, and comes back: health, sends and the session across the outage. The database is
 * cut off by a TCP proxy between the pool and PostgreSQL.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class StoreOutageTests {

	// The pool's default connection timeout (30 s) outlasts the send timeout: the send
	// gives up waiting. A short one lets the store's own error reach the sender first.
	@ParameterizedTest(name = "MQTT {0}, connection timeout {1} ms, send timeout {2}")
	@CsvSource({ "3.1.1, 30000, PT3S", "5, 1000, PT8S" })
	@ExpectedLog(logger = "com.zaxxer.hikari", reason = "the connection pool reports the database it cannot reach")
	@ExpectedLog(logger = "io.github.mqttsession", reason = "writes the store did not take are reported")
	@ExpectedLog(logger = "org.springframework.integration", reason = "the failed send is reported")
	void aSendWhileTheDatabaseIsDownFailsWithinTheSendTimeoutAndTheSessionGoesOnOnceItIsBack(String version,
			String connectionTimeout, Duration sendTimeout) throws Exception {
		String clientId = "store-outage-" + version + "-" + System.nanoTime();
		String topic = "store-outage/" + version;
		try (TcpProxy database = TcpProxy.forAnyProtocol("127.0.0.1", EmbeddedPostgresExtension.port());
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 2)) {
			MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId).with(
					"spring.datasource.url=jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres",
					"spring.datasource.username=postgres", "spring.datasource.password=postgres",
					"spring.datasource.hikari.connection-timeout=" + connectionTimeout,
					"mqtt.client.protocol-version=" + version, "mqtt.outbound.default-topic=" + topic,
					"mqtt.outbound.send-timeout=" + sendTimeout.toSeconds() + "s",
					"management.endpoint.health.show-details=always");
			try (ConfigurableApplicationContext context = app.start()) {
				HealthEndpoint health = context.getBean(HealthEndpoint.class);
				OfflinePublishingTests.send(context, "before", 2);
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("before"));
				assertThat(health.healthForPath("mqttSession").getStatus()).isEqualTo(Status.UP);

				database.cut();
				assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10),
						() -> health.healthForPath("mqttSession").getStatus()))
					.isEqualTo(Status.DOWN);

				// QoS 1: sent before it is durable; acknowledged by the broker, which
				// makes its write needless, unless the write fails first (a broken pooled
				// connection fails at once)
				Throwable qos1Failure = catchThrowable(() -> OfflinePublishingTests.send(context, "at least once", 1));
				if (qos1Failure != null) {
					assertThat(OfflinePublishingTests.causeOf(qos1Failure, SessionStoreException.class))
						.hasMessageContaining(clientId);
				}
				// QoS 2: durable before it is sent; the store does not take it within the
				// send timeout
				long start = System.nanoTime();
				Throwable failure = catchThrowable(() -> OfflinePublishingTests.send(context, "exactly once", 2));
				assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(sendTimeout.plusSeconds(5));
				String error = OfflinePublishingTests.causeOf(failure, SessionStoreException.class).getMessage();
				assertThat(error).containsAnyOf("Could not add pending message",
						"did not write the message within " + "mqtt.outbound.send-timeout");
				assertThat(subscriber.received()).doesNotContain("exactly once");
				IndicatedHealthDescriptor down = (IndicatedHealthDescriptor) health.healthForPath("mqttSession");
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				if (!error.contains("send-timeout")) {
					// A write failed: the client is named with the store's error
					assertThat(down.getDetails()).hasEntrySatisfying("storeWriteFailure",
							(failures) -> assertThat(failures.toString()).contains(clientId, "Could not"));
				}

				database.resume();
				await().atMost(Duration.ofSeconds(40))
					.untilAsserted(
							() -> assertThat(health.healthForPath("mqttSession").getStatus()).isEqualTo(Status.UP));
				OfflinePublishingTests.send(context, "after", 2);
				await().atMost(Duration.ofSeconds(20)).until(() -> subscriber.received().contains("after"));
				if (qos1Failure == null) {
					assertThat(subscriber.received()).containsExactly("before", "at least once", "after");
				}
				else {
					// A send that failed may or may not be delivered; never twice
					assertThat(subscriber.received()).containsOnlyOnce("before", "after")
						.doesNotContain("exactly once")
						.hasSizeBetween(2, 3);
				}
				await().atMost(Duration.ofSeconds(10))
					.until(() -> OfflinePublishingTests.pending(context, clientId).isEmpty());
				if (!error.contains("send-timeout")) {
					assertThat(failedWrites(context.getBean(MeterRegistry.class))).isPositive();
				}
			}
		}
	}

	private static long failedWrites(MeterRegistry registry) {
		return registry.find(TimedSessionStore.METER_NAME)
			.tags("operation", "applyPendingMessageChanges", "outcome", "error")
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

}
