package io.github.mqttsession.benchmarks.publish;

import java.nio.file.Path;
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

import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.benchmarks.Settings;
import io.github.mqttsession.benchmarks.support.Broker;
import io.github.mqttsession.benchmarks.support.Databases;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.integration.mqtt.event.MqttMessageDeliveredEvent;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Part 1 again, through what an application uses: the auto-configured outbound adapter, configured by properties
 * alone, with 8 threads sending to {@code mqttOutboundChannel}. A send returns once the message is durable or
 * acknowledged; the measurement runs until the broker acknowledged every message. The baseline is the same
 * adapter on the in-memory store (nothing durable); variants interleaved round by round.
 */
public final class AdapterThroughput {

	private static final int THREADS = 8;

	private static final int PAYLOAD_BYTES = 256;

	private final Settings settings;

	private final Path work;

	private final String postgresUrl;

	private final Report report;

	/**
	 * Creates the benchmark.
	 * @param settings the run's size
	 * @param work a folder for the H2 database
	 * @param postgresUrl the PostgreSQL server's JDBC URL
	 * @param report where results go
	 */
	public AdapterThroughput(Settings settings, Path work, String postgresUrl, Report report) {
		this.settings = settings;
		this.work = work;
		this.postgresUrl = postgresUrl;
		this.report = report;
	}

	/**
	 * Runs the variants against a broker.
	 * @param broker the broker
	 * @param brokerId a short id for the CSV
	 */
	public void run(Broker broker, String brokerId) {
		byte[] payload = new byte[PAYLOAD_BYTES];
		new Random(7).nextBytes(payload);
		Map<Store, List<Double>> rates = new EnumMap<>(Store.class);
		List<String> errors = new ArrayList<>();
		for (int round = 0; round < this.settings.rounds(); round++) {
			for (int i = 0; i < Store.values().length; i++) {
				Store store = Store.values()[(i + round) % Store.values().length];
				double rate;
				try {
					rate = measure(broker, store, "adapter-" + brokerId + "-" + store.name() + "-r" + round, payload);
				}
				catch (Exception ex) {
					errors.add(store.description + " (round " + (round + 1) + "): " + ex);
					rate = Double.NaN;
				}
				rates.computeIfAbsent(store, (key) -> new ArrayList<>()).add(rate);
				System.out.printf(Locale.ROOT, "  adapter %s round=%d %s: %,.0f msgs/s%n", brokerId, round + 1, store.id,
						rate);
			}
		}
		table(brokerId, rates, errors);
	}

	private double measure(Broker broker, Store store, String clientId, byte[] payload) throws Exception {
		List<String> properties = new ArrayList<>(List.of("spring.main.banner-mode=off",
				"spring.main.log-startup-info=false", "logging.level.root=WARN",
				"logging.config=classpath:benchmarks-logback.xml", "mqtt.client.url=" + broker.url(),
				"mqtt.client.client-id=" + clientId, "mqtt.client.clean-session=false",
				"mqtt.client.max-inflight=65535", "mqtt.client.quiescent-timeout=0ms",
				"mqtt.client.disconnect-timeout=1s", "mqtt.outbound.default-topic=bench/" + clientId,
				"mqtt.outbound.default-qos=1", "mqtt.session.max-pending-messages=65535",
				"mqtt.session.store=" + store.store));
		if (store == Store.H2) {
			properties.add("spring.datasource.url=jdbc:h2:file:" + this.work.resolve("adapter-" + clientId)
					+ ";WRITE_DELAY=0");
			properties.add("spring.datasource.username=sa");
		}
		else if (store == Store.POSTGRES) {
			properties.add("spring.datasource.url=" + this.postgresUrl);
			properties.add("spring.datasource.username=postgres");
			properties.add("spring.datasource.password=postgres");
		}
		else {
			properties.add("spring.autoconfigure.exclude="
					+ "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
		}
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AdapterApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run()) {
			LongAdder delivered = new LongAdder();
			context.addApplicationListener(
					(ApplicationListener<MqttMessageDeliveredEvent>) (event) -> delivered.increment());
			MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
			send(channel, payload, this.settings.warmupMessages(), delivered, this.settings.warmupSeconds());
			delivered.reset();
			long start = System.nanoTime();
			long sent = send(channel, payload, this.settings.messages(), delivered, this.settings.measureSeconds());
			return sent / ((System.nanoTime() - start) / 1e9);
		}
		finally {
			if (store == Store.POSTGRES) {
				try (var pool = Databases.postgres(this.postgresUrl)) {
					Databases.execute(pool, "DELETE FROM MQTT_SESSION WHERE CLIENT_ID LIKE '" + clientId + "%'");
				}
			}
		}
	}

	/** Sends from 8 threads until the count or the time is reached, then waits for every acknowledgement. */
	private static long send(MessageChannel channel, byte[] payload, int messages, LongAdder delivered,
			double maxSeconds) throws Exception {
		LongAdder sent = new LongAdder();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		CyclicBarrier start = new CyclicBarrier(THREADS + 1);
		long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
		Thread[] senders = new Thread[THREADS];
		for (int t = 0; t < THREADS; t++) {
			int share = messages / THREADS + ((t < messages % THREADS) ? 1 : 0);
			senders[t] = new Thread(() -> {
				try {
					start.await();
					for (int i = 0; i < share && failure.get() == null && System.nanoTime() < deadline; i++) {
						channel.send(MessageBuilder.withPayload(payload).build());
						sent.increment();
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
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

	private void table(String brokerId, Map<Store, List<Double>> rates, List<String> errors) {
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "#### Through the auto-configured outbound adapter, %d sending threads "
				+ "(QoS 1, %d-byte payloads, median of %d rounds)%n%n"
				+ "Each thread sends to `mqttOutboundChannel` of an application configured by properties alone; a send"
				+ " returns once its message is durable or acknowledged, and the measurement ends when the broker has"
				+ " acknowledged every message. %,d messages per measurement (or fewer when it reaches %.0f s).%n%n",
				THREADS, PAYLOAD_BYTES, this.settings.rounds(), this.settings.messages(), this.settings.measureSeconds()));
		md.append("| store | msgs/s | × in-memory | msgs/s per round |\n| --- | ---: | ---: | --- |\n");
		List<Double> baseline = rates.get(Store.MEMORY);
		for (Store store : Store.values()) {
			List<Double> measured = rates.get(store);
			double[] ratios = new double[measured.size()];
			StringBuilder perRound = new StringBuilder();
			for (int i = 0; i < ratios.length; i++) {
				ratios[i] = measured.get(i) / baseline.get(i);
				perRound.append((i > 0) ? " / " : "").append(Report.number(measured.get(i)));
			}
			double rate = PublishThroughput.median(measured.stream().mapToDouble(Double::doubleValue).toArray());
			double ratio = PublishThroughput.median(ratios);
			md.append("| ").append(store.description).append(" | ").append(Report.number(rate)).append(" | ")
				.append(Report.ratio(ratio)).append(" | ").append(perRound).append(" |\n");
			this.report.add(new ResultRow("adapter/" + brokerId, store.id, THREADS, 0, Math.rint(rate), "msgs/s", ratio));
		}
		md.append('\n');
		for (String error : errors) {
			md.append("- **failed:** ").append(error).append('\n');
		}
		this.report.markdown(md.toString());
	}

	private enum Store {

		MEMORY("adapter-memory", "memory", "in-memory store (nothing durable; the baseline)"),

		H2("adapter-jpa-h2", "jpa", "JPA store on H2 file (`WRITE_DELAY=0`)"),

		POSTGRES("adapter-jpa-postgres", "jpa", "JPA store on PostgreSQL (`synchronous_commit=on`)");

		private final String id;

		private final String store;

		private final String description;

		Store(String id, String store, String description) {
			this.id = id;
			this.store = store;
			this.description = description;
		}

	}

	/** An application with nothing of its own: the starter configures the adapter from properties. */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class AdapterApplication {

	}

}
