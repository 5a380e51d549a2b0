package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.autoconfigure.MqttSessionMetricsAutoConfiguration;
import io.github.mqttsession.autoconfigure.SessionStoreAutoConfiguration;
import io.github.mqttsession.metrics.MqttSessionMetrics;
import io.github.mqttsession.metrics.TimedSessionStore;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.LoadSaveDeleteOnlyStore;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.StoreTables;
import io.github.mqttsession.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The meters of durable sessions, read from the application's registry while a real
 * client publishes.
 */
@ExtendWith(HiveMqExtension.class)
class MqttSessionMetricsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttSessionMetricsAutoConfiguration.class));

	@Test
	void withAMeterRegistryTheSessionIsMeteredAndItsStoreTimed() {
		this.runner.withBean(SimpleMeterRegistry.class)
			.run((context) -> assertThat(context).hasSingleBean(MqttSessionMetrics.class)
				.hasBean("mqttSessionStoreTimer"));
	}

	@Test
	void withoutAMeterRegistryNothingIsMetered() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(MqttSessionMetrics.class)
			.doesNotHaveBean(SessionStoreDecorator.class));
	}

	@Test
	void aListenerOfTheApplicationsOwnIsThereBesideTheMessageCounters() {
		this.runner.withBean(SimpleMeterRegistry.class)
			.withUserConfiguration(OwnListenerConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(MqttSessionMetrics.class)
				.hasBean("ownListener")
				.hasBean("mqttSessionStoreTimer"));
	}

	@Test
	void publishedMessagesAreCountedAsAcknowledgedAndAsPersistedWhenWrittenAndTheStoreOperationsTimed()
			throws Exception {
		// A write delay no acknowledgement takes as long as: the QoS 1 messages are never
		// written, the QoS 2 one always is, before it is sent
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "metrics-acked")
			.with("mqtt.outbound.default-topic=metrics/acked", "mqtt.outbound.write-delay=20s");
		try (ConfigurableApplicationContext context = app.start()) {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			IntStream.rangeClosed(1, 3).forEach((i) -> send(context, "at least once " + i, 1));
			send(context, "exactly once", 2);

			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(count(registry, MqttSessionMetrics.ACKNOWLEDGED, "metrics-acked"))
					.isEqualTo(5));
			assertThat(registry.get(MqttSessionMetrics.PERSISTED)
				.tags("client.id", "metrics-acked", "state", "OUTBOUND_PUBLISH")
				.counter()
				.count()).isEqualTo(1);
			assertThat(registry.get(MqttSessionMetrics.PERSISTED)
				.tags("client.id", "metrics-acked", "state", "OUTBOUND_PUBREL")
				.counter()
				.count()).isEqualTo(1);
			assertThat(pending(registry, "metrics-acked")).isZero();
			// Two records written and removed, gathered by the writer into at most one
			// store
			// call each.
			assertThat(timer(registry, "applyPendingMessageChanges", "success").count()).isBetween(1L, 10L);
			assertThat(timer(registry, "load", "success").count()).isPositive();
			assertThat(timer(registry, "acquireLease", "success").count()).isPositive();
			assertThat(registry.find(TimedSessionStore.METER_NAME).tag("outcome", "error").timers()).isEmpty();
		}
	}

	@Test
	void messagesPendingAtARestartAreCountedAsRestoredAndTheGaugeFollowsThem() throws Exception {
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "metrics-restored")
				.with("mqtt.outbound.default-topic=metrics/restored");
			try (ConfigurableApplicationContext context = app.start()) {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(count(registry, MqttSessionMetrics.RESTORED, "metrics-restored")).isZero();
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 3).forEach((i) -> send(context, "offline " + i, 1));
				assertThat(pending(registry, "metrics-restored")).isEqualTo(3);
			}
			try (ConfigurableApplicationContext context = app.start()) {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(count(registry, MqttSessionMetrics.RESTORED, "metrics-restored")).isEqualTo(3);
				assertThat(pending(registry, "metrics-restored")).isEqualTo(3);
				proxy.resume();
				// The counter counts a completion just after the gauge drops
				await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
					assertThat(pending(registry, "metrics-restored")).isZero();
					assertThat(count(registry, MqttSessionMetrics.ACKNOWLEDGED, "metrics-restored"))
						.isGreaterThanOrEqualTo(3);
				});
			}
		}
	}

	@Test
	void messagesDroppedToStayWithinTheCapAreCounted() throws Exception {
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "metrics-dropped").with(
					"mqtt.outbound.default-topic=metrics/dropped", "mqtt.session.max-pending-messages=2",
					"mqtt.session.overflow=drop-oldest");
			try (ConfigurableApplicationContext context = app.start()) {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				IntStream.rangeClosed(1, 5).forEach((i) -> send(context, "offline " + i, 1));

				assertThat(count(registry, MqttSessionMetrics.DROPPED, "metrics-dropped")).isEqualTo(3);
				assertThat(pending(registry, "metrics-dropped")).isEqualTo(2);
			}
		}
	}

	@Test
	void everyOperationReachesTheWrappedStoreAndIsTimed() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		InMemorySessionStore target = new InMemorySessionStore();
		SessionStore store = new TimedSessionStore(target, registry);
		PendingMessage message = new PendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, 1, "a/b", new byte[] { 1 },
				1, false);

		store.save("timed", MqttSession.EMPTY);
		store.addSubscription("timed", new Subscription("a/#", 1));
		store.addPendingMessage("timed", message);
		store.setPacketId("timed", 1);
		assertThat(target.load("timed"))
			.contains(new MqttSession(List.of(new Subscription("a/#", 1)), List.of(message), 1));
		assertThat(store.load("timed")).isEqualTo(target.load("timed"));
		SessionLeasing leasing = store.feature(SessionLeasing.class).orElseThrow();
		SessionListing listing = store.feature(SessionListing.class).orElseThrow();
		assertThat(leasing.acquireLease("timed", "me", Duration.ofSeconds(60))).isEmpty();
		assertThat(listing.listSessions()).extracting(SessionSummary::clientId, SessionSummary::owner)
			.containsExactly(tuple("timed", "me"));
		leasing.releaseLease("timed", "me");
		store.removePendingMessage("timed", PendingMessage.State.OUTBOUND_PUBLISH, 1);
		store.replacePendingMessage("timed", PendingMessage.State.OUTBOUND_PUBLISH, 1, message);
		store.applyPendingMessageChanges("timed", List.of(new PendingMessageChange.Removed(message.state(), 1)));
		store.removeSubscription("timed", "a/#");
		assertThat(target.load("timed")).contains(new MqttSession(List.of(), List.of(), 1));
		assertThat(store.feature(IdleSessionCleanup.class)
			.orElseThrow()
			.deleteSessionsIdleSince(Instant.now().plusSeconds(60))).isEqualTo(1);
		store.delete("timed");
		assertThat(target.listSessions()).isEmpty();

		for (String operation : List.of("load", "save", "delete", "addSubscription", "removeSubscription",
				"addPendingMessage", "removePendingMessage", "replacePendingMessage", "applyPendingMessageChanges",
				"setPacketId", "listSessions", "deleteSessionsIdleSince", "acquireLease", "releaseLease")) {
			assertThat(timer(registry, operation, "success").count()).as(operation).isEqualTo(1);
		}
	}

	@Test
	void aFailingOperationIsTimedAsAnErrorAndAFeatureTheStoreLacksIsMissingOnTheTimedStoreToo() {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		try (HikariDataSource database = Databases.newH2File()) {
			StoreTables.create(database);
			CountingDataSource dataSource = new CountingDataSource(database);
			try (JpaSessionStore jpa = new JpaSessionStore(dataSource.dataSource())) {
				SessionStore store = new TimedSessionStore(jpa, registry);
				dataSource.setDown(true);

				assertThatExceptionOfType(SessionStoreException.class).isThrownBy(() -> store.load("unreachable"))
					.withMessageContaining("unreachable");
			}
		}
		SessionStore minimal = new TimedSessionStore(new LoadSaveDeleteOnlyStore(), registry);
		assertThat(minimal.feature(SessionListing.class)).isEmpty();
		assertThat(minimal.feature(IdleSessionCleanup.class)).isEmpty();
		assertThat(minimal.feature(SessionLeasing.class)).isEmpty();

		assertThat(registry.get(TimedSessionStore.METER_NAME)
			.tags("operation", "load", "outcome", "error", "exception", "SessionStoreException")
			.timer()
			.count()).isEqualTo(1);
		assertThat(registry.find(TimedSessionStore.METER_NAME).tag("operation", "listSessions").timers()).isEmpty();
	}

	@Test
	void aTimedStoreStillStopsTwoClientsOfOneProcessFromSharingAClientId() throws Exception {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		InMemorySessionStore store = new InMemorySessionStore();
		SessionStoreMqttClientPersistence first = new SessionStoreMqttClientPersistence(
				new TimedSessionStore(store, registry), "shared-id");
		SessionStoreMqttClientPersistence second = new SessionStoreMqttClientPersistence(
				new TimedSessionStore(store, registry), "shared-id");
		first.open("shared-id", "tcp://localhost:1883");
		try {
			assertThatException().isThrownBy(() -> second.open("shared-id", "tcp://localhost:1883"))
				.withStackTraceContaining("already in use by another MQTT client in this process");
		}
		finally {
			first.release();
		}
	}

	private static void send(ConfigurableApplicationContext context, String payload, int qos) {
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, qos).build());
	}

	/** The sum of a counter over its other tags, 0 when it was never registered. */
	private static double count(MeterRegistry registry, String name, String clientId) {
		return registry.find(name).tag("client.id", clientId).counters().stream().mapToDouble((c) -> c.count()).sum();
	}

	private static double pending(MeterRegistry registry, String clientId) {
		return registry.get(MqttSessionMetrics.PENDING).tag("client.id", clientId).gauge().value();
	}

	private static Timer timer(MeterRegistry registry, String operation, String outcome) {
		return registry.get(TimedSessionStore.METER_NAME).tags("operation", operation, "outcome", outcome).timer();
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnListenerConfiguration {

		@Bean
		SessionPersistenceListener ownListener() {
			return new SessionPersistenceListener() {
			};
		}

	}

}
