package io.github.mqttsession.benchmarks.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.mqttsession.autoconfigure.MqttClientProperties;
import io.github.mqttsession.autoconfigure.MqttOutboundProperties;
import io.github.mqttsession.autoconfigure.MqttSessionProperties;
import io.github.mqttsession.benchmarks.Part;
import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.Databases;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.integration.mqtt.event.MqttMessageDeliveredEvent;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Part 1 again, through what an application uses: the auto-configured outbound adapter at
 * the settings a user gets, configured by properties alone, with 8 threads sending to
 * {@code mqttOutboundChannel}. A send waits for room in the in-flight window and returns
 * once the message is durable or acknowledged; the time each send takes is recorded, and
 * the measurement runs until the broker acknowledged every message. The baseline is the
 * same adapter on the in-memory store (nothing durable). The same again with a window of
 * 65,535, which is not a default, shows what the default window costs; and the in-memory
 * and PostgreSQL stores at the default window with an {@code ObservationRegistry} whose
 * handler makes timers, as Actuator's does, show what observing each publish costs. All
 * eight interleaved round by round.
 */
public final class AdapterThroughput {

	static final int THREADS = 8;

	static final int PAYLOAD_BYTES = 256;

	private final Part part;

	private volatile String defaultsInForce = "?";

	/**
	 * Creates the benchmark.
	 * @param part the run's settings, folder, PostgreSQL server and report
	 */
	public AdapterThroughput(Part part) {
		this.part = part;
	}

	/**
	 * Runs the variants against a broker.
	 * @param broker the broker
	 * @param brokerId a short id for the CSV
	 */
	public void run(Broker broker, String brokerId) {
		byte[] payload = new byte[PAYLOAD_BYTES];
		new Random(7).nextBytes(payload);
		List<Setup> setups = new ArrayList<>();
		for (AdapterWindow window : AdapterWindow.values()) {
			for (AdapterStore store : AdapterStore.values()) {
				setups.add(new Setup(store, window, AdapterObservations.NONE));
			}
		}
		for (AdapterStore store : List.of(AdapterStore.MEMORY, AdapterStore.POSTGRES)) {
			setups.add(new Setup(store, AdapterWindow.DEFAULT, AdapterObservations.METERS));
		}
		Map<AdapterWindow, Map<AdapterStore, List<AdapterRun>>> results = new EnumMap<>(AdapterWindow.class);
		Map<AdapterStore, List<AdapterRun>> observed = new EnumMap<>(AdapterStore.class);
		List<String> errors = new ArrayList<>();
		for (int round = 0; round < this.part.settings().rounds(); round++) {
			for (int i = 0; i < setups.size(); i++) {
				// Each round starts at the next set-up, so that none always runs first or
				// right after another
				Setup setup = setups.get((i + round) % setups.size());
				String clientId = "adapter-" + brokerId + "-" + setup.store().name() + "-" + setup.window().name()
						+ setup.observations().idSuffix + "-r" + round;
				AdapterRun run;
				try {
					run = measure(broker, setup, clientId, payload);
				}
				catch (Exception ex) {
					errors.add(setup.store().description + ", window " + setup.window().size + " (round " + (round + 1)
							+ "): " + ex);
					System.out.println("  FAILED " + ex);
					run = AdapterRun.FAILED;
				}
				Map<AdapterStore, List<AdapterRun>> byStore = (setup.observations() == AdapterObservations.METERS)
						? observed
						: results.computeIfAbsent(setup.window(), (key) -> new EnumMap<>(AdapterStore.class));
				byStore.computeIfAbsent(setup.store(), (key) -> new ArrayList<>()).add(run);
				System.out.printf(Locale.ROOT,
						"  adapter %s round=%d %s%s window=%d: %,.0f msgs/s, send median %.0f µs," + " p99 %.0f µs%n",
						brokerId, round + 1, setup.store().id, setup.observations().idSuffix, setup.window().size,
						run.messagesPerSecond(), run.sendMedianMicros(), run.send99thMicros());
			}
		}
		new AdapterTable(this.part.settings(), this.part.report()).write(brokerId, this.defaultsInForce, results,
				observed, errors);
	}

	private AdapterRun measure(Broker broker, Setup setup, String clientId, byte[] payload) throws Exception {
		List<String> properties = applicationProperties(broker, clientId, setup.store(), this.part);
		properties.addAll(setup.window().properties);
		properties.addAll(setup.observations().properties);
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AdapterApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run()) {
			checkWindow(context, setup.window());
			LongAdder delivered = new LongAdder();
			context.addApplicationListener(
					(ApplicationListener<MqttMessageDeliveredEvent>) (event) -> delivered.increment());
			MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
			send(channel, payload, this.part.settings().warmupMessages(), delivered,
					this.part.settings().warmupSeconds(), new SendTimes());
			delivered.reset();
			SendTimes times = new SendTimes();
			long start = System.nanoTime();
			long sent = send(channel, payload, this.part.settings().messages(), delivered,
					this.part.settings().measureSeconds(), times);
			double rate = sent / ((System.nanoTime() - start) / 1e9);
			double[] percentiles = times.medianAnd99thMicros();
			return new AdapterRun(rate, percentiles[0], percentiles[1]);
		}
		finally {
			if (setup.store() == AdapterStore.POSTGRES) {
				try (var pool = Databases.postgres(this.part.postgresUrl())) {
					Databases.execute(pool, "DELETE FROM MQTT_SESSION WHERE CLIENT_ID LIKE '" + clientId + "%'");
				}
			}
		}
	}

	/**
	 * Only what an application must say: the broker, the client id, the default topic and
	 * QoS, the store and its database. The two close timeouts shorten the close after the
	 * measurement, when nothing is in flight any more.
	 * @param broker the broker
	 * @param clientId the client id, also in the default topic
	 * @param store the store
	 * @param part the run's folder and PostgreSQL server
	 * @return the properties, a list the caller may add to
	 */
	static List<String> applicationProperties(Broker broker, String clientId, AdapterStore store, Part part) {
		List<String> properties = new ArrayList<>(
				List.of("spring.main.banner-mode=off", "spring.main.log-startup-info=false", "logging.level.root=WARN",
						"logging.config=classpath:benchmarks-logback.xml", "mqtt.client.url=" + broker.url(),
						"mqtt.client.client-id=" + clientId, "mqtt.client.quiescent-timeout=0ms",
						"mqtt.client.disconnect-timeout=1s", "mqtt.outbound.default-topic=bench/" + clientId,
						"mqtt.outbound.default-qos=1", "mqtt.session.store=" + store.store));
		properties.addAll(store.dataSource(part.work().resolve("adapter-" + clientId), part.postgresUrl()));
		return properties;
	}

	/**
	 * Makes sure the window is what the table says, and notes the defaults in force for
	 * the table's text.
	 */
	private void checkWindow(ConfigurableApplicationContext context, AdapterWindow window) {
		MqttClientProperties client = context.getBean(MqttClientProperties.class);
		if (client.getMaxInflight() != window.size) {
			throw new IllegalStateException(
					"mqtt.client.max-inflight is " + client.getMaxInflight() + ", expected " + window.size);
		}
		if (window == AdapterWindow.DEFAULT) {
			MqttSessionProperties session = context.getBean(MqttSessionProperties.class);
			this.defaultsInForce = String.format(Locale.ROOT,
					"`mqtt.client.max-inflight` %d, `mqtt.outbound.send-timeout` %s, `mqtt.session.max-pending-messages`"
							+ " %,d (overflow `%s`), protocol %s",
					client.getMaxInflight(), text(context.getBean(MqttOutboundProperties.class).getSendTimeout()),
					session.getMaxPendingMessages(),
					session.getOverflow().name().toLowerCase(Locale.ROOT).replace('_', '-'),
					client.getProtocolVersion());
		}
	}

	private static String text(Duration duration) {
		return (duration.toMillis() % 1000 == 0) ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
	}

	/**
	 * Sends from 8 threads until the count or the time is reached, timing each send, then
	 * waits for every acknowledgement.
	 */
	private static long send(MessageChannel channel, byte[] payload, int messages, LongAdder delivered,
			double maxSeconds, SendTimes times) throws Exception {
		LongAdder sent = new LongAdder();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		CyclicBarrier start = new CyclicBarrier(THREADS + 1);
		long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
		Thread[] senders = new Thread[THREADS];
		for (int t = 0; t < THREADS; t++) {
			int share = messages / THREADS + ((t < messages % THREADS) ? 1 : 0);
			senders[t] = new Thread(() -> {
				long[] nanos = new long[share];
				int count = 0;
				try {
					start.await();
					while (count < share && failure.get() == null && System.nanoTime() < deadline) {
						long before = System.nanoTime();
						channel.send(MessageBuilder.withPayload(payload).build());
						nanos[count++] = System.nanoTime() - before;
						sent.increment();
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					times.add(nanos, count);
				}
			}, "sender-" + t);
			senders[t].start();
		}
		start.await();
		for (Thread sender : senders) {
			sender.join();
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Sending failed: " + failure.get(), failure.get());
		}
		long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
		while (delivered.sum() < sent.sum()) {
			if (System.nanoTime() > giveUp) {
				throw new IllegalStateException((sent.sum() - delivered.sum()) + " messages were not acknowledged");
			}
			LockSupport.parkNanos(200_000);
		}
		return sent.sum();
	}

	/** One store at one window size, observed or not. */
	private record Setup(AdapterStore store, AdapterWindow window, AdapterObservations observations) {
	}

	/**
	 * An application with nothing of its own: the starter configures the adapter from
	 * properties; with {@code bench.observations=meters}, it has an
	 * {@code ObservationRegistry} whose handler makes a timer of each observation, as
	 * Actuator gives an application.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AdapterApplication {

		@Bean
		@ConditionalOnProperty(name = "bench.observations", havingValue = "meters")
		ObservationRegistry observationRegistry() {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig()
				.observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry()));
			return registry;
		}

	}

}
