package io.github.mqttsession.benchmarks.publish;

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

import javax.sql.DataSource;

import io.github.mqttsession.benchmarks.Part;
import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.Databases;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.messaging.MessageChannel;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What {@code mqtt.outbound.transactional: true} costs: the auto-configured outbound
 * adapter with that property, 8 threads sending to {@code mqttOutboundChannel} outside
 * transactions (published at once, the baseline), each send in a transaction of its own,
 * and ten sends to a transaction, on the JPA store on PostgreSQL and on an H2 file, all
 * six interleaved round by round, at the defaults otherwise. Spring Integration publishes
 * no {@code MqttMessageSentEvent} for a message sent in a transaction, so a measurement
 * ends when the session has no pending message left: every message was acknowledged.
 */
public final class TransactionalSendsThroughput {

	private static final List<AdapterStore> STORES = List.of(AdapterStore.POSTGRES, AdapterStore.H2);

	private final Part part;

	private volatile String transactionManager = "?";

	/**
	 * Creates the benchmark.
	 * @param part the run's settings, folder, PostgreSQL server and report
	 */
	public TransactionalSendsThroughput(Part part) {
		this.part = part;
	}

	/**
	 * Runs the variants against a broker.
	 * @param broker the broker
	 * @param brokerId a short id for the CSV
	 */
	public void run(Broker broker, String brokerId) {
		byte[] payload = new byte[AdapterThroughput.PAYLOAD_BYTES];
		new Random(7).nextBytes(payload);
		List<Setup> setups = new ArrayList<>();
		for (AdapterStore store : STORES) {
			for (SendsPerTransaction grouping : SendsPerTransaction.values()) {
				setups.add(new Setup(store, grouping));
			}
		}
		Map<AdapterStore, Map<SendsPerTransaction, List<AdapterRun>>> results = new EnumMap<>(AdapterStore.class);
		List<String> errors = new ArrayList<>();
		for (int round = 0; round < this.part.settings().rounds(); round++) {
			for (int i = 0; i < setups.size(); i++) {
				// Each round starts at the next set-up, so that none always runs first
				Setup setup = setups.get((i + round) % setups.size());
				String clientId = "tx-" + brokerId + "-" + setup.store().name() + "-" + setup.grouping().id + "-r"
						+ round;
				AdapterRun run;
				try {
					run = measure(broker, setup, clientId, payload);
				}
				catch (Exception ex) {
					errors.add(setup.store().description + ", " + setup.grouping().description + " (round "
							+ (round + 1) + "): " + ex);
					System.out.println("  FAILED " + ex);
					run = AdapterRun.FAILED;
				}
				results.computeIfAbsent(setup.store(), (key) -> new EnumMap<>(SendsPerTransaction.class))
					.computeIfAbsent(setup.grouping(), (key) -> new ArrayList<>())
					.add(run);
				System.out.printf(Locale.ROOT,
						"  transactional %s round=%d %s %s: %,.0f msgs/s, call median %.0f µs, p99 %.0f µs%n", brokerId,
						round + 1, setup.store().id, setup.grouping().id, run.messagesPerSecond(),
						run.sendMedianMicros(), run.send99thMicros());
			}
		}
		new TransactionalSendsTable(this.part.settings(), this.part.report()).write(brokerId, this.transactionManager,
				results, errors);
	}

	private AdapterRun measure(Broker broker, Setup setup, String clientId, byte[] payload) throws Exception {
		List<String> properties = AdapterThroughput.applicationProperties(broker, clientId, setup.store(), this.part);
		properties.add("mqtt.outbound.transactional=true");
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(
				AdapterThroughput.AdapterApplication.class)
			.web(WebApplicationType.NONE)
			.properties(properties.toArray(String[]::new))
			.run()) {
			DataSource dataSource = context.getBean(DataSource.class);
			// Boot's, as an application gets it; one on the store's DataSource otherwise
			PlatformTransactionManager manager = context.getBeanProvider(PlatformTransactionManager.class)
				.getIfAvailable(() -> new DataSourceTransactionManager(dataSource));
			this.transactionManager = manager.getClass().getSimpleName();
			Sender sender = new Sender(context.getBean("mqttOutboundChannel", MessageChannel.class),
					new TransactionTemplate(manager), setup.grouping(), payload);
			PendingMessages pending = new PendingMessages(new JdbcTemplate(dataSource), clientId);
			send(sender, this.part.settings().warmupMessages(), this.part.settings().warmupSeconds(), new SendTimes(),
					pending);
			SendTimes times = new SendTimes();
			long start = System.nanoTime();
			long sent = send(sender, this.part.settings().messages(), this.part.settings().measureSeconds(), times,
					pending);
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
	 * Sends from 8 threads until the count or the time is reached, timing each call (a
	 * send, or a transaction with its sends and its commit), then waits until the session
	 * holds no pending message.
	 */
	private static long send(Sender sender, int messages, double maxSeconds, SendTimes times, PendingMessages pending)
			throws Exception {
		LongAdder sent = new LongAdder();
		AtomicReference<Throwable> failure = new AtomicReference<>();
		int threads = AdapterThroughput.THREADS;
		CyclicBarrier start = new CyclicBarrier(threads + 1);
		long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
		Thread[] senders = new Thread[threads];
		for (int t = 0; t < threads; t++) {
			int share = messages / threads + ((t < messages % threads) ? 1 : 0);
			senders[t] = new Thread(() -> {
				long[] nanos = new long[share];
				int calls = 0;
				int count = 0;
				try {
					start.await();
					while (count < share && failure.get() == null && System.nanoTime() < deadline) {
						long before = System.nanoTime();
						int batch = sender.call(share - count);
						nanos[calls++] = System.nanoTime() - before;
						count += batch;
						sent.add(batch);
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
				finally {
					times.add(nanos, calls);
				}
			}, "sender-" + t);
			senders[t].start();
		}
		start.await();
		for (Thread thread : senders) {
			thread.join();
		}
		if (failure.get() != null) {
			throw new IllegalStateException("Sending failed: " + failure.get(), failure.get());
		}
		pending.awaitNone();
		return sent.sum();
	}

	/** One store, its sends grouped one way. */
	private record Setup(AdapterStore store, SendsPerTransaction grouping) {
	}

	/** Sends outside transactions, or in transactions of a number of sends each. */
	private record Sender(MessageChannel channel, TransactionTemplate transaction, SendsPerTransaction grouping,
			byte[] payload) {

		/**
		 * One send, or one transaction of sends.
		 * @param left how many messages the thread has still to send
		 * @return how many messages it sent
		 */
		int call(int left) {
			if (this.grouping.sends == 0) {
				send();
				return 1;
			}
			int sends = Math.min(this.grouping.sends, left);
			this.transaction.executeWithoutResult((status) -> {
				for (int i = 0; i < sends; i++) {
					send();
				}
			});
			return sends;
		}

		private void send() {
			this.channel.send(MessageBuilder.withPayload(this.payload).build());
		}

	}

	/**
	 * The session's pending messages in the store's table: every send has returned, so
	 * every message is written, and none is left once the broker acknowledged them all.
	 */
	private record PendingMessages(JdbcTemplate jdbc, String clientId) {

		void awaitNone() {
			long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
			while (count() > 0) {
				if (System.nanoTime() > giveUp) {
					throw new IllegalStateException(count() + " messages were not acknowledged");
				}
				LockSupport.parkNanos(500_000);
			}
		}

		private int count() {
			Integer count = this.jdbc.queryForObject("SELECT COUNT(*) FROM MQTT_PENDING_MESSAGE WHERE CLIENT_ID = ?",
					Integer.class, this.clientId);
			return (count != null) ? count : 0;
		}

	}

}
