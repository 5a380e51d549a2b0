package io.github.mqttsession.integration;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.MqttSessionConfigurationException;
import io.github.mqttsession.persistence.PendingMessageLimitExceededException;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.ExpectedStartupFailureReport;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.MessageHandlingException;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Sends inside the application's own transactions ({@code mqtt.outbound.transactional}):
 * what a subscriber at the broker sees and what the session's table holds after a
 * rollback, after a commit of many sends, and for a send outside any transaction, on H2
 * and PostgreSQL, with Boot's {@link JpaTransactionManager} and with a
 * {@link DataSourceTransactionManager}, on MQTT 3.1.1 and 5.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class TransactionalSendsTests {

	private static final int SENDS = 5;

	static Stream<Arguments> setups() {
		return Stream.of(Arguments.of("H2", "JpaTransactionManager", "3.1.1"),
				Arguments.of("H2", "DataSourceTransactionManager", "5"),
				Arguments.of("PostgreSQL", "JpaTransactionManager", "5"),
				Arguments.of("PostgreSQL", "DataSourceTransactionManager", "3.1.1"));
	}

	@ParameterizedTest(name = "{0}, {1}, MQTT {2}")
	@MethodSource("setups")
	void aRollbackPublishesNothingAndACommitPublishesEverySendInOrderAfterItsOneCommit(String database,
			String transactionManager, String protocol) throws Exception {
		String clientId = "tx-" + database.charAt(0) + transactionManager.charAt(0) + protocol.charAt(0) + "-"
				+ System.nanoTime();
		String topic = "tx/" + clientId;
		MqttApplicationRunner app = runner(database, transactionManager, clientId).with(
				"mqtt.client.protocol-version=" + protocol, "mqtt.outbound.transactional=true",
				"mqtt.outbound.default-topic=" + topic);
		try (ConfigurableApplicationContext context = app.start();
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			assertThat(context.getBean(PlatformTransactionManager.class).getClass().getSimpleName())
				.isEqualTo(transactionManager);
			TransactionTemplate transaction = new TransactionTemplate(
					context.getBean(PlatformTransactionManager.class));
			CountingDataSource counting = CountingApplicationDataSource.of(context);
			DataSource otherTransactions = counting.dataSource();

			transaction.executeWithoutResult((status) -> {
				send(context, "rolled back", 1);
				assertThat(outboxRows(otherTransactions, clientId)).isZero();
				status.setRollbackOnly();
			});
			assertThat(pendingRows(otherTransactions, clientId)).isZero();

			List<String> atCommit = new ArrayList<>();
			transaction.executeWithoutResult((status) -> {
				for (int i = 1; i <= SENDS; i++) {
					send(context, "committed " + i, 1);
				}
				// Another thread's send outside any transaction is published at once,
				// whatever the open transaction holds
				CompletableFuture.runAsync(() -> send(context, "beside", 1)).orTimeout(20, TimeUnit.SECONDS).join();
				await().atMost(Duration.ofSeconds(20))
					.untilAsserted(() -> assertThat(pendingRows(otherTransactions, clientId)).isZero());
				counting.reset();
				// Registered after the sends' own synchronization, so it runs after it
				// wrote the messages, just before the commit
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

					@Override
					public void beforeCommit(boolean readOnly) {
						atCommit.add("inserts=" + counting.count("INSERT"));
						atCommit.add("commits=" + counting.commitCount());
						atCommit.add("seen by others=" + outboxRows(otherTransactions, clientId));
						atCommit.add("received=" + subscriber.received()
							.stream()
							.filter((payload) -> payload.startsWith("committed"))
							.count());
					}

				});
			});
			// Every message written in the transaction, none committed before its commit
			assertThat(atCommit).containsExactly("inserts=" + SENDS, "commits=0", "seen by others=0", "received=0");
			send(context, "outside", 1);

			List<String> expected = new ArrayList<>();
			expected.add("beside");
			for (int i = 1; i <= SENDS; i++) {
				expected.add("committed " + i);
			}
			expected.add("outside");
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(subscriber.received()).hasSize(expected.size()));
			assertThat(subscriber.received()).containsExactlyElementsOf(expected);

			// QoS 0 is not stored by Paho once connected, QoS 2 is stored before it is
			// sent
			transaction.executeWithoutResult((status) -> {
				send(context, "at most once", 0);
				send(context, "exactly once", 2);
			});
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(subscriber.received()).contains("at most once", "exactly once"));
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(pendingRows(otherTransactions, clientId)).isZero());
			assertThat(subscriber.received()).doesNotContain("rolled back");
		}
	}

	@Test
	@ExpectedLog(logger = "io.github.mqttsession", exceptionMessage = "Simulated failure",
			reason = "the hand-over's write fails once on purpose")
	void aHandOverWhoseWriteFailsIsHandedOverAgainWithoutAnotherCommit() throws Exception {
		String clientId = "tx-retry-" + System.nanoTime();
		String topic = "tx/" + clientId;
		MqttApplicationRunner app = runner("H2", "JpaTransactionManager", clientId)
			.with("mqtt.outbound.transactional=true", "mqtt.outbound.default-topic=" + topic);
		try (ConfigurableApplicationContext context = app.start();
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			CountingDataSource counting = CountingApplicationDataSource.of(context);
			TransactionTemplate transaction = new TransactionTemplate(
					context.getBean(PlatformTransactionManager.class));
			// The hand-over replaces the transaction's row with the client's record of
			// the publish, in one write that starts with the row's delete: it fails once
			counting.failNext((sql) -> sql.startsWith("DELETE FROM MQTT_PENDING_MESSAGE"));
			transaction.executeWithoutResult((status) -> {
				send(context, "first", 1);
				send(context, "second", 1);
			});
			// The client may have sent the message whose write failed: it may arrive
			// twice,
			// never not at all, and the rest follows in order
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(subscriber.received().stream().distinct().toList())
					.containsExactly("first", "second"));
			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(pendingRows(counting.dataSource(), clientId)).isZero());
		}
	}

	@Test
	void aSendInATransactionOnAnotherDataSourceFailsNamingTheProperty() throws Exception {
		String clientId = "tx-other-" + System.nanoTime();
		MqttApplicationRunner app = runner("H2", "JpaTransactionManager", clientId)
			.with("mqtt.outbound.transactional=true", "mqtt.outbound.default-topic=tx/" + clientId);
		try (ConfigurableApplicationContext context = app.start()) {
			JdbcDataSource other = new JdbcDataSource();
			other.setURL("jdbc:h2:mem:other-" + clientId);
			TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(other));
			assertThatExceptionOfType(MessageHandlingException.class)
				.isThrownBy(() -> transaction.executeWithoutResult((status) -> send(context, "elsewhere", 1)))
				.havingRootCause()
				.withMessageContaining("mqtt.outbound.transactional is true")
				.withMessageContaining("not in one on the session store's DataSource");
		}
	}

	@Test
	void transactionsCommittingAtOnceArePublishedInTheOrderTheyCommitted() throws Exception {
		String clientId = "tx-order-" + System.nanoTime();
		String topic = "tx/" + clientId;
		MqttApplicationRunner app = runner("PostgreSQL", "JpaTransactionManager", clientId)
			.with("mqtt.outbound.transactional=true", "mqtt.outbound.default-topic=" + topic);
		try (ConfigurableApplicationContext context = app.start();
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			TransactionTemplate transaction = new TransactionTemplate(
					context.getBean(PlatformTransactionManager.class));
			List<String> committed = new CopyOnWriteArrayList<>();
			List<CompletableFuture<Void>> threads = new ArrayList<>();
			for (int thread = 1; thread <= 3; thread++) {
				String name = "thread " + thread;
				threads.add(CompletableFuture.runAsync(() -> {
					for (int i = 1; i <= 5; i++) {
						String prefix = name + " transaction " + i;
						transaction.executeWithoutResult((status) -> {
							send(context, prefix + " first", 1);
							send(context, prefix + " second", 1);
							TransactionSynchronizationManager.registerSynchronization(
									new CommitRecorder(committed, List.of(prefix + " first", prefix + " second")));
						});
					}
				}));
			}
			CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
			assertThat(committed).hasSize(30);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(subscriber.received()).hasSize(30));
			assertThat(subscriber.received()).containsExactlyElementsOf(committed);
		}
	}

	@Test
	void aSendBeyondTheCapFailsInTheTransactionWhichRollsBackWhateverTheOverflowPolicy() throws Exception {
		String clientId = "tx-cap-" + System.nanoTime();
		String topic = "tx/" + clientId;
		MqttApplicationRunner app = runner("H2", "JpaTransactionManager", clientId).with(
				"mqtt.outbound.transactional=true", "mqtt.outbound.default-topic=" + topic,
				"mqtt.session.max-pending-messages=3", "mqtt.session.overflow=drop-oldest");
		try (ConfigurableApplicationContext context = app.start();
				Subscriber subscriber = new Subscriber(HiveMqExtension.url(), topic, 1)) {
			TransactionTemplate transaction = new TransactionTemplate(
					context.getBean(PlatformTransactionManager.class));
			assertThatExceptionOfType(MessageHandlingException.class)
				.isThrownBy(() -> transaction.executeWithoutResult((status) -> {
					for (int i = 1; i <= 4; i++) {
						send(context, "too many " + i, 1);
					}
				}))
				.havingRootCause()
				.isInstanceOf(PendingMessageLimitExceededException.class)
				.withMessageContaining("mqtt.session.max-pending-messages (3)");
			transaction.executeWithoutResult((status) -> {
				for (int i = 1; i <= 3; i++) {
					send(context, "within the cap " + i, 1);
				}
			});
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(subscriber.received()).hasSize(3));
			assertThat(subscriber.received()).containsExactly("within the cap 1", "within the cap 2",
					"within the cap 3");
			assertThat(pendingRows(context.getBean(DataSource.class), clientId)).isZero();
		}
	}

	@Test
	@ExpectedStartupFailureReport
	void startUpFailsWhenTheStoreCannotJoinTheApplicationsTransactions() {
		MqttApplicationRunner app = runner("H2", "JpaTransactionManager", "tx-memory").with("mqtt.session.store=memory",
				"mqtt.outbound.transactional=true");
		assertThatException().isThrownBy(app::start)
			.havingRootCause()
			.isInstanceOf(MqttSessionConfigurationException.class)
			.withMessageContaining("mqtt.outbound.transactional is true")
			.withMessageContaining("only the JPA session store");
	}

	private static MqttApplicationRunner runner(String database, String transactionManager, String clientId) {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.sources(CountingApplicationDataSource.class);
		if (database.equals("PostgreSQL")) {
			app.with("spring.datasource.url=" + EmbeddedPostgresExtension.jdbcUrl(),
					"spring.datasource.username=postgres", "spring.datasource.password=postgres");
		}
		if (transactionManager.equals("DataSourceTransactionManager")) {
			app.sources(DataSourceTransactions.class);
		}
		return app;
	}

	private static void send(ConfigurableApplicationContext context, String payload, int qos) {
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload(payload).setHeader(MqttHeaders.QOS, qos).build());
	}

	/**
	 * The session's rows in the state of sends not yet handed over, as another
	 * transaction sees them: on a connection of its own, never the one a transaction of
	 * the calling thread is bound to.
	 */
	private static int outboxRows(DataSource dataSource, String clientId) {
		return count(dataSource,
				"SELECT COUNT(*) FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ?" + " AND STATE = 'TRANSACTIONAL_OUTBOX'",
				clientId);
	}

	private static int pendingRows(DataSource dataSource, String clientId) {
		return count(dataSource, "SELECT COUNT(*) FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ?", clientId);
	}

	private static int count(DataSource dataSource, String sql, String clientId) {
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, clientId);
			try (ResultSet rows = statement.executeQuery()) {
				rows.next();
				return rows.getInt(1);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Records a transaction's messages once it committed, first among the
	 * synchronizations after the commit: while the transaction still holds its client's
	 * commit order.
	 */
	private record CommitRecorder(List<String> committed,
			List<String> messages) implements TransactionSynchronization, Ordered {

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		@Override
		public void afterCommit() {
			this.committed.addAll(this.messages);
		}

	}

	/**
	 * A {@link DataSourceTransactionManager} instead of the {@link JpaTransactionManager}
	 * Boot sets up beside JPA.
	 */
	@Configuration(proxyBeanMethods = false)
	static class DataSourceTransactions {

		@Bean
		DataSourceTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

	}

}
