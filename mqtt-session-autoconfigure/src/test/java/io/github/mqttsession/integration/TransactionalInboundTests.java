package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.sql.DataSource;

import io.github.mqttsession.apps.minimal.MinimalApplication;
import io.github.mqttsession.autoconfigure.MqttSessionConfigurationException;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedLog;
import io.github.mqttsession.testsupport.ExpectedStartupFailureReport;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.SubscribedEvents;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.integration.annotation.ServiceActivator;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * The inbound flow in the application's transaction ({@code mqtt.inbound.transactional}):
 * a handler that writes a row per message into an application table joins the
 * transaction, a failing one leaves no row, and the session keeps no record of the
 * messages once they are complete; on H2 and PostgreSQL, MQTT 3.1.1 and 5. Crashes at
 * each point of a message's way are in {@code TransactionalInboundCrashTests}.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class TransactionalInboundTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final int MESSAGES = 20;

	static Stream<Arguments> setups() {
		return Stream.of(Arguments.of("H2", "3.1.1"), Arguments.of("H2", "5"), Arguments.of("PostgreSQL", "5"),
				Arguments.of("PostgreSQL", "3.1.1"));
	}

	@ParameterizedTest(name = "{0}, MQTT {1}")
	@MethodSource("setups")
	@ExpectedLog(logger = "org.springframework.integration.handler.LoggingHandler",
			message = "the handler fails after its write",
			reason = "the error channel logs the failure of the flow, after its transaction rolled back")
	void eachMessageWritesItsRowInTheFlowsTransactionAndAFailedOneWritesNone(String database, String protocol)
			throws Exception {
		String clientId = "in-tx-" + database.charAt(0) + protocol.charAt(0) + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String topic = "in-tx/" + clientId;
		MqttApplicationRunner app = runner(database, clientId).with("mqtt.client.protocol-version=" + protocol,
				"mqtt.inbound.transactional=true", "mqtt.inbound.topics[0].filter=" + topic,
				"mqtt.inbound.topics[0].qos=2");
		try (ConfigurableApplicationContext context = app.start()) {
			SubscribedEvents.awaitSubscribed(context, TIMEOUT);
			publish(topic, IntStream.rangeClosed(1, MESSAGES / 2).mapToObj(Integer::toString).toList(), 2);
			publish(topic, List.of("fail"), 2);
			publish(topic, IntStream.rangeClosed(MESSAGES / 2 + 1, MESSAGES).mapToObj(Integer::toString).toList(), 1);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			await().atMost(TIMEOUT).until(() -> rows(jdbc, clientId).size() == MESSAGES);
			Map<String, Integer> rows = rows(jdbc, clientId);
			assertThat(rows).hasSize(MESSAGES).doesNotContainKey("fail").allSatisfy((payload, count) -> {
				assertThat(count).as(payload).isOne();
			});
			assertThat(context.getBean(Handler.class).inTransaction).containsOnly(true);
			// Complete: no record of the messages, nor of their handling, stays
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(jdbc.queryForList(
						"SELECT STATE || ' ' || PACKET_ID FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ?", String.class,
						clientId))
					.isEmpty());
		}
	}

	@Test
	@ExpectedStartupFailureReport
	void startUpFailsWhenTheStoreCannotRecordInTheApplicationsTransactions() {
		MqttApplicationRunner app = runner("H2", "in-tx-memory").with("mqtt.session.store=memory",
				"mqtt.inbound.transactional=true");
		assertThatException().isThrownBy(app::start)
			.havingRootCause()
			.isInstanceOf(MqttSessionConfigurationException.class)
			.withMessageContaining("mqtt.inbound.transactional is true")
			.withMessageContaining("only the JPA session store");
	}

	@Test
	@ExpectedStartupFailureReport
	void startUpFailsForAnInboundChannelThatHandsMessagesToAnotherThread() {
		MqttApplicationRunner app = new MqttApplicationRunner(MinimalApplication.class, HiveMqExtension.url(),
				"in-tx-queue")
			.sources(QueueInbound.class)
			.with("mqtt.inbound.transactional=true");
		assertThatException().isThrownBy(app::start)
			.havingRootCause()
			.isInstanceOf(MqttSessionConfigurationException.class)
			.withMessageContaining("the inbound channel 'mqttInboundChannel' is a QueueChannel, not a DirectChannel");
	}

	@Test
	@ExpectedStartupFailureReport
	void startUpFailsWithManualAcknowledgement() {
		MqttApplicationRunner app = runner("H2", "in-tx-manual").with("mqtt.inbound.transactional=true",
				"mqtt.inbound.acknowledgement=manual");
		assertThatException().isThrownBy(app::start)
			.havingRootCause()
			.isInstanceOf(MqttSessionConfigurationException.class)
			.withMessageContaining("mqtt.inbound.acknowledgement is 'manual'");
	}

	private static MqttApplicationRunner runner(String database, String clientId) {
		MqttApplicationRunner app = new MqttApplicationRunner(MinimalApplication.class, HiveMqExtension.url(), clientId)
			.sources(Handler.class, SubscribedEvents.class);
		if (database.equals("PostgreSQL")) {
			app.with("spring.datasource.url=" + EmbeddedPostgresExtension.jdbcUrl(),
					"spring.datasource.username=postgres", "spring.datasource.password=postgres");
		}
		return app;
	}

	private static Map<String, Integer> rows(JdbcTemplate jdbc, String clientId) {
		Map<String, Integer> counts = new TreeMap<>();
		jdbc.queryForList("SELECT PAYLOAD FROM INBOUND_ROW WHERE CLIENT_ID = ?", String.class, clientId)
			.forEach((payload) -> counts.merge(payload, 1, Integer::sum));
		return counts;
	}

	static void publish(String topic, List<String> payloads, int qos) throws Exception {
		try (MqttClient publisher = new MqttClient(HiveMqExtension.url(), "in-tx-publisher-" + UUID.randomUUID(),
				new MemoryPersistence())) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setConnectionTimeout(5);
			publisher.connect(options);
			for (String payload : payloads) {
				publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), qos, false);
			}
			publisher.disconnect();
		}
	}

	/**
	 * Writes a row per message into an application table, on the transaction the flow
	 * runs in; fails, after its write, for the payload {@code fail}.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Handler {

		final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

		private final JdbcTemplate jdbc;

		private final String clientId;

		Handler(DataSource dataSource, Environment environment) {
			this.jdbc = new JdbcTemplate(dataSource);
			this.clientId = environment.getRequiredProperty("mqtt.client.client-id");
			this.jdbc.execute("CREATE TABLE IF NOT EXISTS INBOUND_ROW (CLIENT_ID VARCHAR(200) NOT NULL,"
					+ " PAYLOAD VARCHAR(200) NOT NULL)");
		}

		@ServiceActivator(inputChannel = "mqttInboundChannel")
		public void handle(Message<?> message) {
			String payload = (message.getPayload() instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
					: message.getPayload().toString();
			this.inTransaction.add(TransactionSynchronizationManager.isActualTransactionActive());
			this.jdbc.update("INSERT INTO INBOUND_ROW (CLIENT_ID, PAYLOAD) VALUES (?, ?)", this.clientId, payload);
			if (payload.equals("fail")) {
				throw new IllegalStateException("the handler fails after its write");
			}
		}

	}

	/** An inbound channel whose consumer runs on a poller's thread. */
	@Configuration(proxyBeanMethods = false)
	static class QueueInbound {

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

	}

}
