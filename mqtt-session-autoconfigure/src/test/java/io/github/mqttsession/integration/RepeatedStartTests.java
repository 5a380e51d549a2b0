package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Starts an application many times over: the broker's connect acknowledgement reaches the
 * inbound adapter at any point of its start, and no start may log an error, nor leave a
 * configured or stored subscription unmade, also when the broker lost the session in
 * between.
 */
@ExtendWith(HiveMqExtension.class)
class RepeatedStartTests {

	private static final int STARTS = 8;

	/**
	 * Without a database, so that the many starts stay quick; the session lives in one
	 * store across them all.
	 */
	private static final String NO_DATABASE = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

	private final SharedStore sharedStore = new SharedStore();

	private final LoggedErrors loggedErrors = new LoggedErrors();

	@AfterEach
	void detachLog() {
		this.loggedErrors.close();
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	@SuppressWarnings("unchecked")
	void startsWithoutInboundTopicsLogNoError(String version) {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "repeated-start-" + version)
			.with("mqtt.client.protocol-version=" + version, NO_DATABASE)
			.listeners(this.loggedErrors, this.sharedStore);
		for (int start = 1; start <= STARTS; start++) {
			try (ConfigurableApplicationContext context = app.start()) {
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				await().atMost(Duration.ofSeconds(10)).until(manager::isConnected);
				if (version.equals("3.1.1")) {
					// Spring Integration's 3.1.1 adapter reports its subscribe on connect
					// even with no topics: the connect has gone all the way through the
					// adapter
					BlockingQueue<MqttSubscribedEvent> subscribed = context.getBean("subscribedEvents",
							BlockingQueue.class);
					await().atMost(Duration.ofSeconds(10)).until(() -> !subscribed.isEmpty());
				}
			}
			assertThat(this.loggedErrors.errors()).as("errors logged up to start " + start).isEmpty();
		}
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	@SuppressWarnings("unchecked")
	void everyStartSubscribesAgainWhenTheBrokerLostTheSession(String version) throws Exception {
		String clientId = "repeated-start-topics-" + version;
		String configured = "repeated/" + version + "/configured";
		String stored = "repeated/" + version + "/stored";
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), clientId)
			.with("mqtt.client.protocol-version=" + version, "mqtt.inbound.topics[0].filter=" + configured + "/#",
					"mqtt.inbound.topics[0].qos=1", NO_DATABASE)
			.listeners(this.loggedErrors, this.sharedStore);
		MqttClient publisher = new MqttClient(HiveMqExtension.url(), "repeated-start-publisher-" + version,
				new MemoryPersistence());
		publisher.connect();
		try {
			for (int start = 1; start <= STARTS; start++) {
				boolean sessionLost = start % 2 == 0;
				if (sessionLost) {
					dropBrokerSession(clientId);
				}
				try (ConfigurableApplicationContext context = app.start()) {
					BlockingQueue<MqttSubscribedEvent> subscribed = context.getBean("subscribedEvents",
							BlockingQueue.class);
					await().atMost(Duration.ofSeconds(10)).until(() -> !subscribed.isEmpty());
					if (start == 1) {
						context.getBean(MqttSubscriptions.class).subscribe(stored + "/#", 1);
					}
					String probe = "probe " + start;
					publisher.publish(configured + "/" + start, probe.getBytes(StandardCharsets.UTF_8), 1, false);
					publisher.publish(stored + "/" + start, probe.getBytes(StandardCharsets.UTF_8), 1, false);
					assertThat(receiveProbes(context, probe))
						.as("start %d, %s", start, sessionLost ? "the broker had lost the session" : "session kept")
						.containsExactlyInAnyOrder(configured + "/" + start, stored + "/" + start);
				}
				assertThat(this.loggedErrors.errors()).as("errors logged up to start " + start).isEmpty();
			}
		}
		finally {
			publisher.disconnectForcibly(0, 1000);
			publisher.close();
		}
	}

	/**
	 * The topics on which the application received a probe, once two have arrived or
	 * after a while. Probes of an earlier start may come again, their acknowledgement cut
	 * short by the stop (QoS 1 is at least once), and are left aside.
	 */
	@SuppressWarnings("unchecked")
	private static Set<String> receiveProbes(ConfigurableApplicationContext context, String probe)
			throws InterruptedException {
		BlockingQueue<Message<?>> received = context.getBean("received", BlockingQueue.class);
		Set<String> topics = new HashSet<>();
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (topics.size() < 2 && System.nanoTime() < deadline) {
			Message<?> message = received.poll(100, TimeUnit.MILLISECONDS);
			Object payload = (message != null) ? message.getPayload() : null;
			String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : payload + "";
			if (probe.equals(text)) {
				topics.add(message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class));
			}
		}
		return topics;
	}

	/**
	 * Makes the broker forget the session of a client id, subscriptions included, as a
	 * broker restart without persistence or an expired session would: a clean-session
	 * connect under that id.
	 */
	private static void dropBrokerSession(String clientId) throws Exception {
		try (MqttClient client = new MqttClient(HiveMqExtension.url(), clientId, new MemoryPersistence())) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setCleanSession(true);
			options.setConnectionTimeout(5);
			client.connect(options);
			client.disconnect();
		}
	}

	/** Gives each start the same session store, as a database would be. */
	private static final class SharedStore implements ApplicationListener<ApplicationPreparedEvent> {

		private final InMemorySessionStore store = new InMemorySessionStore();

		@Override
		public void onApplicationEvent(ApplicationPreparedEvent event) {
			event.getApplicationContext().getBeanFactory().registerSingleton("sessionStore", this.store);
		}

	}

}
