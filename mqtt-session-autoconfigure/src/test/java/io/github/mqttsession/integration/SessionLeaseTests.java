package io.github.mqttsession.integration;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

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
			StoreTables.create(dataSource);
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
			StoreTables.create(dataSource);
			try (JpaSessionStore store = new JpaSessionStore(dataSource)) {
				store.acquireLease("still-leased", "crashed-instance", Duration.ofMinutes(5));
			}
		}
		assertThatException().isThrownBy(() -> app.start("mqtt.session.lease.owner=newcomer").close())
			.withStackTraceContaining("in use by instance 'crashed-instance'");
	}

	@Test
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "org.springframework.boot.SpringApplication",
			message = "Application run failed", exceptionMessage = "holds the lease on its session",
			reason = "the second instance is refused on purpose")
	void aRefusedInstanceWritesNothingToTheSessionItsOwnerHolds() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "leased-topics")
			.with("mqtt.session.lease.duration=3s");
		try (ConfigurableApplicationContext first = app.start("mqtt.session.lease.owner=instance-1",
				"mqtt.inbound.topics[0].filter=first/#")) {
			first.getBean(MqttSubscriptions.class).subscribe("runtime/#", 1);
			SessionStore store = first.getBean(SessionStore.class);
			List<Subscription> owned = List.of(new Subscription("first/#", 1, true), new Subscription("runtime/#", 1));
			assertThat(store.load("leased-topics")).map(MqttSession::subscriptions).contains(owned);

			// Configured otherwise, the second instance would drop first/# as no longer
			// configured and add second/#
			assertThatException()
				.isThrownBy(
						() -> app.start("mqtt.session.lease.owner=instance-2", "mqtt.inbound.topics[0].filter=second/#")
							.close())
				.withStackTraceContaining("Client id 'leased-topics' is in use by instance 'instance-1'");

			assertThat(store.load("leased-topics")).map(MqttSession::subscriptions).contains(owned);
			assertThat(first.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("first/#", "runtime/#");
		}
	}

	@Test
	void anInstanceWaitingForTheLeaseWritesItsConfiguredTopicsOnlyOnceItHoldsIt() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "waiting-topics")
			.sources(SingletonsCreated.class);
		MqttSession held = new MqttSession(
				List.of(new Subscription("old/#", 1, true), new Subscription("runtime/#", 2)), List.of(), 0);
		try (HikariDataSource dataSource = Databases.pooled(app.databaseUrl(), "sa", "");
				JpaSessionStore store = storeOn(dataSource)) {
			store.save("waiting-topics", held);
			assertThat(store.acquireLease("waiting-topics", "crashed-instance", Duration.ofMinutes(5))).isEmpty();
			SingletonsCreated.latch = new CountDownLatch(1);

			CompletableFuture<ConfigurableApplicationContext> successor = CompletableFuture
				.supplyAsync(() -> app.start("mqtt.session.lease.owner=successor",
						"mqtt.session.lease.wait-for-takeover=true", "mqtt.inbound.topics[0].filter=new/#"));
			try {
				// Every bean is created, the inbound adapter with its topics read from
				// the store; the client's start, where the lease is taken, waits for the
				// crashed instance's lease
				assertThat(SingletonsCreated.latch.await(60, TimeUnit.SECONDS)).isTrue();
				assertThat(successor).isNotDone();
				assertThat(store.load("waiting-topics")).as("the session while another instance holds it")
					.contains(held);
			}
			catch (AssertionError | InterruptedException ex) {
				successor.thenAccept(ConfigurableApplicationContext::close);
				throw ex;
			}
			finally {
				store.releaseLease("waiting-topics", "crashed-instance");
			}
			try (ConfigurableApplicationContext context = successor.get(30, TimeUnit.SECONDS)) {
				assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("new/#",
						"runtime/#");
				assertThat(store.load("waiting-topics")).map(MqttSession::subscriptions)
					.contains(List.of(new Subscription("runtime/#", 2), new Subscription("new/#", 1, true)));
			}
		}
	}

	private static JpaSessionStore storeOn(HikariDataSource dataSource) {
		StoreTables.create(dataSource);
		return new JpaSessionStore(dataSource);
	}

	/**
	 * Tells the test once every bean of the application is created, before the
	 * application starts them.
	 */
	@Configuration(proxyBeanMethods = false)
	static class SingletonsCreated {

		static volatile CountDownLatch latch = new CountDownLatch(1);

		@Bean
		SmartInitializingSingleton singletonsCreated() {
			return () -> latch.countDown();
		}

	}

}
