package io.github.mqttsession.benchmarks.restart;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.benchmarks.Settings;
import io.github.mqttsession.benchmarks.store.Fixtures;
import io.github.mqttsession.benchmarks.support.StoreSchema;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.Databases;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttPersistenceException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Part 3: what a restart with a large session costs. A session of N pending QoS 1
 * messages (60,000 in the full run) is written to PostgreSQL; then a new
 * {@link JpaSessionStore} and a new Paho client on
 * {@link SessionStoreMqttClientPersistence} restore it and resend every message, against
 * a raw JDBC read of the same rows and against Paho's {@link MemoryPersistence} holding
 * the same messages.
 * <p>
 * The restore runs twice: first in a JVM that has not run this code yet (as after a real
 * restart), then again warmed up, as the JDBC read and the Paho baseline are measured.
 */
public final class RestartCost {

	private static final String CLIENT_ID = "bench-restart";

	private static final int MAX_INFLIGHT = 65_535;

	private final Settings settings;

	private final String postgresUrl;

	private final Report report;

	/**
	 * Creates the benchmark.
	 * @param settings the run's size
	 * @param postgresUrl the PostgreSQL server's JDBC URL
	 * @param report where results go
	 */
	public RestartCost(Settings settings, String postgresUrl, Report report) {
		this.settings = settings;
		this.postgresUrl = postgresUrl;
		this.report = report;
	}

	/**
	 * Runs the benchmark against a broker.
	 * @param broker the broker
	 * @throws Exception when a client or the database fails
	 */
	public void run(Broker broker) throws Exception {
		int count = this.settings.restartMessages();
		List<PendingMessage> messages = new ArrayList<>(count);
		for (int id = 1; id <= count; id++) {
			messages.add(Fixtures.message(id));
		}
		MqttSession session = new MqttSession(List.of(), messages, count);
		try (HikariDataSource pool = Databases.postgres(this.postgresUrl)) {
			StoreSchema.createIn(pool);
			System.out.println("  restart: first restore");
			store(pool, session);
			Restore first = restoreFromStore(broker, pool, count, false);
			store(pool, session);
			double[] jdbc = rawJdbcRead(pool, count);
			double jpaLoad = jpaLoad(pool, count);
			System.out.println("  restart: warm restore");
			Restore warm = restoreFromStore(broker, pool, count, true);
			System.out.println("  restart: Paho MemoryPersistence");
			Restore paho = restoreFromMemory(broker, messages);
			long live = heldByLivePahoClient(broker, messages);
			write(count, jdbc, jpaLoad, first, warm, paho, live);
		}
	}

	private static void store(HikariDataSource pool, MqttSession session) {
		Databases.truncateTables(pool);
		try (JpaSessionStore writer = new JpaSessionStore(pool)) {
			writer.save(CLIENT_ID, session);
		}
		Databases.execute(pool, "VACUUM ANALYZE MQTT_PENDING_MESSAGE");
	}

	/**
	 * Reads every row with plain JDBC into pending messages: a floor for any store's
	 * load. First read, then median of 3.
	 */
	private static double[] rawJdbcRead(HikariDataSource pool, int count) throws Exception {
		double[] millis = new double[4];
		for (int i = 0; i < millis.length; i++) {
			long start = System.nanoTime();
			try (Connection connection = pool.getConnection()) {
				connection.setAutoCommit(false);
				int read = Fixtures.readMessages(connection, CLIENT_ID).size();
				connection.commit();
				if (read != count) {
					throw new IllegalStateException("Read " + read + " of " + count + " rows");
				}
			}
			millis[i] = (System.nanoTime() - start) / 1e6;
		}
		return new double[] { millis[0], median(Arrays.copyOfRange(millis, 1, 4)) };
	}

	/** The store's own load of the session, median of 3, on a warmed-up store. */
	private static double jpaLoad(HikariDataSource pool, int count) {
		try (JpaSessionStore store = new JpaSessionStore(pool)) {
			double[] millis = new double[3];
			for (int i = 0; i < millis.length; i++) {
				long start = System.nanoTime();
				int loaded = store.load(CLIENT_ID).orElseThrow().pendingMessages().size();
				millis[i] = (System.nanoTime() - start) / 1e6;
				if (loaded != count) {
					throw new IllegalStateException("Loaded " + loaded + " of " + count + " messages");
				}
			}
			return median(millis);
		}
	}

	private Restore restoreFromStore(Broker broker, HikariDataSource pool, int count, boolean waitForAcknowledgements)
			throws Exception {
		long heapBefore = usedHeap();
		long start = System.nanoTime();
		JpaSessionStore store = new JpaSessionStore(pool);
		long storeBuilt = System.nanoTime();
		long heapWithStore = usedHeap();
		long clientStart = System.nanoTime();
		SessionStoreMqttClientPersistence persistence = new SessionStoreMqttClientPersistence(store, CLIENT_ID);
		MqttAsyncClient client = new MqttAsyncClient(broker.url(), CLIENT_ID, persistence);
		long restored = System.nanoTime();
		long heapRestored = usedHeap();
		try {
			Times times = resend(client, count, waitForAcknowledgements ? persistence::pendingMessageCount : null);
			return new Restore((storeBuilt - start) / 1e6, (restored - clientStart) / 1e6, times,
					heapWithStore - heapBefore, heapRestored - heapWithStore);
		}
		finally {
			close(client);
			persistence.release();
			store.delete(CLIENT_ID);
			store.close();
		}
	}

	private Restore restoreFromMemory(Broker broker, List<PendingMessage> messages) throws Exception {
		long heapBefore = usedHeap();
		long clientStart = System.nanoTime();
		PrefilledMemoryPersistence persistence = new PrefilledMemoryPersistence(messages);
		MqttAsyncClient client = new MqttAsyncClient(broker.url(), CLIENT_ID + "-paho", persistence);
		long restored = System.nanoTime();
		long heapRestored = usedHeap();
		try {
			Times times = resend(client, messages.size(), () -> client.getPendingDeliveryTokens().length);
			return new Restore(0, (restored - clientStart) / 1e6, times, 0, heapRestored - heapBefore);
		}
		finally {
			close(client);
		}
	}

	/**
	 * The heap a running Paho client with MemoryPersistence holds for the same messages:
	 * published while offline with the buffer persisted, so each message is held once, in
	 * the persistence and the buffer, as an in-flight message is held once in the
	 * persistence and Paho's outbound table.
	 */
	private static long heldByLivePahoClient(Broker broker, List<PendingMessage> messages) throws Exception {
		long heapBefore = usedHeap();
		MemoryPersistence persistence = new MemoryPersistence();
		MqttAsyncClient client = new MqttAsyncClient(broker.url(), CLIENT_ID + "-live", persistence);
		DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
		buffer.setBufferEnabled(true);
		buffer.setBufferSize(messages.size());
		buffer.setPersistBuffer(true);
		client.setBufferOpts(buffer);
		for (PendingMessage message : messages) {
			client.publish(message.topic(), message.payload(), message.qos(), message.retained());
		}
		long held = usedHeap() - heapBefore;
		if (client.getBufferedMessageCount() != messages.size()) {
			throw new IllegalStateException("Paho buffered " + client.getBufferedMessageCount() + " messages");
		}
		client.close(true);
		return held;
	}

	/**
	 * Connects and waits until the broker has acknowledged every restored message (every
	 * delivery token is complete; Paho completes a token when the PUBACK arrives, before
	 * it removes the message from its persistence), then, when asked, until every
	 * acknowledgement is handled or the time allowed for that is up; a partial count is
	 * extrapolated at the rate seen.
	 */
	private Times resend(MqttAsyncClient client, int count, IntSupplier remaining) throws Exception {
		IMqttDeliveryToken[] tokens = client.getPendingDeliveryTokens();
		if (tokens.length != count) {
			throw new IllegalStateException("Paho restored " + tokens.length + " of " + count + " messages");
		}
		MqttConnectOptions options = new MqttConnectOptions();
		options.setCleanSession(false);
		options.setMaxInflight(MAX_INFLIGHT);
		options.setAutomaticReconnect(false);
		options.setKeepAliveInterval(300);
		long start = System.nanoTime();
		client.connect(options).waitForCompletion(60_000);
		long deadline = start + TimeUnit.MINUTES.toNanos(10);
		for (IMqttDeliveryToken token : tokens) {
			while (!token.isComplete()) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(
							"The broker did not acknowledge every resent message within 10 minutes");
				}
				Thread.sleep(1);
			}
		}
		long resent = System.nanoTime();
		if (remaining == null) {
			return new Times((resent - start) / 1e6, Double.NaN, 0);
		}
		long acknowledgeDeadline = start + (long) (this.settings.acknowledgeSeconds() * 1e9);
		while (remaining.getAsInt() > 0 && System.nanoTime() < acknowledgeDeadline) {
			Thread.sleep(5);
		}
		long done = System.nanoTime();
		int handled = count - remaining.getAsInt();
		double millis = (done - start) / 1e6;
		double extrapolated = (handled == count) ? millis : millis * count / Math.max(1, handled);
		return new Times((resent - start) / 1e6, extrapolated, handled);
	}

	private void write(int count, double[] jdbc, double jpaLoad, Restore first, Restore warm, Restore paho, long live) {
		double jdbcWarm = jdbc[1];
		double warmToResent = warm.storeMillis() + warm.clientMillis() + warm.resentMillis();
		double firstToResent = first.storeMillis() + first.clientMillis() + first.resentMillis();
		double warmToHandled = warm.storeMillis() + warm.clientMillis() + warm.handledMillis();
		double pahoToResent = paho.clientMillis() + paho.resentMillis();
		double pahoToHandled = paho.clientMillis() + paho.handledMillis();
		double resendRatio = warmToResent / jdbcWarm;
		double heapRatio = (double) warm.restoredBytes() / live;
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "A session of %,d pending outbound QoS 1 messages (256-byte payloads) in"
				+ " PostgreSQL. A new `JpaSessionStore` and a new `MqttAsyncClient` on `SessionStoreMqttClientPersistence`"
				+ " restore it; the client connects with max-inflight %,d, so Paho sends everything it restored at once."
				+ " \"Resent\" is when the broker has acknowledged every message (every delivery token complete);"
				+ " \"handled\" when Paho has also processed every acknowledgement, which for the store means every row"
				+ " deleted. \"First\" is the first restore of the run: the restore paths (the store's load of a large"
				+ " session, Paho's restoreState) have not been compiled by the JIT yet, as after a real restart,"
				+ " although the rest of the harness ran before; \"warm\" is a second restore, measured like the JDBC"
				+ " read and the Paho baseline after it.%n%n", count, MAX_INFLIGHT));
		md.append(
				"| step | mqtt-session first | mqtt-session warm | Paho `MemoryPersistence` (same messages) | raw JDBC |\n");
		md.append("| --- | ---: | ---: | ---: | ---: |\n");
		md.append(row("new `JpaSessionStore` (Hibernate start-up, table checks)", first.storeMillis(),
				warm.storeMillis(), Double.NaN, Double.NaN));
		md.append(row("`JpaSessionStore.load` alone (median of 3)", Double.NaN, jpaLoad, Double.NaN, Double.NaN));
		md.append(row("read every row into `PendingMessage`s (first / median of 3 more)", Double.NaN, Double.NaN,
				Double.NaN, jdbc[0])
			.replace(" |\n", " / " + Report.number(jdbcWarm) + " ms |\n"));
		md.append(row("new `MqttAsyncClient`: persistence open (store load) + Paho's `restoreState`",
				first.clientMillis(), warm.clientMillis(), paho.clientMillis(), Double.NaN));
		md.append(row("connect → every message resent", first.resentMillis(), warm.resentMillis(), paho.resentMillis(),
				Double.NaN));
		md.append(row("connect → every acknowledgement handled" + partial(warm, paho, count), Double.NaN,
				warm.handledMillis(), paho.handledMillis(), Double.NaN));
		md.append(row("**store load → every message resent**", firstToResent, warmToResent, pahoToResent, Double.NaN));
		md.append(row("store load → every acknowledgement handled", Double.NaN, warmToHandled, pahoToHandled,
				Double.NaN));
		md.append('\n');
		md.append("| heap | bytes | per message |\n| --- | ---: | ---: |\n");
		md.append(heapRow("`JpaSessionStore` itself (Hibernate metamodel, empty)", warm.storeBytes(), count));
		md.append(heapRow("mqtt-session restored (the persistence's own copy + Paho's restored state)",
				warm.restoredBytes(), count));
		md.append(heapRow("Paho `MemoryPersistence` restored (prefilled persistence + Paho's restored state)",
				paho.restoredBytes(), count));
		md.append(heapRow("Paho `MemoryPersistence`, running client holding the same messages", live, count));
		md.append('\n');
		md.append("| target | measured | met |\n| --- | ---: | --- |\n");
		md.append("| store load → every message resent ≤ 2× raw JDBC read (warm) | ")
			.append(Report.ratio(resendRatio))
			.append(" | ")
			.append(met(resendRatio <= 2))
			.append(" |\n");
		md.append("| the same, first restore vs the first JDBC read | ")
			.append(Report.ratio(firstToResent / jdbc[0]))
			.append(" | ")
			.append(met(firstToResent / jdbc[0] <= 2))
			.append(" |\n");
		md.append("| (for reference: Paho `MemoryPersistence`, restore → every message resent, vs the JDBC read) | ")
			.append(Report.ratio(pahoToResent / jdbcWarm))
			.append(" | — |\n");
		md.append("| heap restored ≤ 1.5× Paho `MemoryPersistence` holding the same messages | ")
			.append(Report.ratio(heapRatio))
			.append(" | ")
			.append(met(heapRatio <= 1.5))
			.append(" |\n\n");
		this.report.markdown(md.toString());

		String benchmark = "restart/" + count;
		add(benchmark, "raw-jdbc-read-first", jdbc[0], "ms", Double.NaN);
		add(benchmark, "raw-jdbc-read", jdbcWarm, "ms", 1.0);
		add(benchmark, "jpa-store-load", jpaLoad, "ms", jpaLoad / jdbcWarm);
		add(benchmark, "session-jpa-postgres-first-load-to-resent", firstToResent, "ms", firstToResent / jdbc[0]);
		add(benchmark, "session-jpa-postgres-store-construction", warm.storeMillis(), "ms",
				warm.storeMillis() / jdbcWarm);
		add(benchmark, "session-jpa-postgres-client-restore", warm.clientMillis(), "ms",
				warm.clientMillis() / jdbcWarm);
		add(benchmark, "session-jpa-postgres-load-to-resent", warmToResent, "ms", resendRatio);
		add(benchmark, "session-jpa-postgres-load-to-handled", warmToHandled, "ms", warmToHandled / jdbcWarm);
		add(benchmark, "paho-memory-restore-to-resent", pahoToResent, "ms", pahoToResent / jdbcWarm);
		add(benchmark, "paho-memory-restore-to-handled", pahoToHandled, "ms", pahoToHandled / jdbcWarm);
		add(benchmark + "/heap", "paho-memory-live", live, "bytes", 1.0);
		add(benchmark + "/heap", "paho-memory-restored", paho.restoredBytes(), "bytes",
				(double) paho.restoredBytes() / live);
		add(benchmark + "/heap", "session-jpa-postgres-restored", warm.restoredBytes(), "bytes", heapRatio);
		add(benchmark + "/heap", "jpa-store-empty", warm.storeBytes(), "bytes", Double.NaN);
	}

	private void add(String benchmark, String variant, double value, String unit, double ratio) {
		this.report.add(new ResultRow(benchmark, variant, 1, MAX_INFLIGHT, value, unit, ratio));
	}

	private static String met(boolean met) {
		return met ? "yes" : "**no**";
	}

	private String partial(Restore ours, Restore paho, int count) {
		StringBuilder note = new StringBuilder();
		for (Restore restore : new Restore[] { ours, paho }) {
			if (restore.times().handled() < count) {
				note.append(String.format(Locale.ROOT, " (%s: %,d handled after %.0f s; extrapolated at that rate)",
						(restore == ours) ? "mqtt-session" : "Paho", restore.times().handled(),
						this.settings.acknowledgeSeconds()));
			}
		}
		return note.toString();
	}

	private static String row(String step, double first, double warm, double paho, double jdbc) {
		return "| " + step + " | " + millis(first) + " | " + millis(warm) + " | " + millis(paho) + " | " + millis(jdbc)
				+ " |\n";
	}

	private static String millis(double value) {
		return Double.isNaN(value) ? "" : Report.number(value) + " ms";
	}

	private static String heapRow(String what, long bytes, int count) {
		return String.format(Locale.ROOT, "| %s | %,d | %,d |%n", what, bytes, bytes / count);
	}

	private static void close(MqttAsyncClient client) {
		try {
			if (client.isConnected()) {
				client.disconnect(1_000).waitForCompletion(10_000);
			}
			client.close();
		}
		catch (Exception ex) {
			// clean-up after the measure
		}
	}

	/** Heap in use after full collections, settled. */
	private static long usedHeap() throws InterruptedException {
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 4; i++) {
			System.gc();
			Thread.sleep(100);
			used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
		}
		return used;
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	/**
	 * Times from connecting.
	 *
	 * @param resentMillis until the broker had acknowledged every message
	 * @param handledMillis until every acknowledgement was handled, extrapolated when the
	 * wait was cut short
	 * @param handled how many acknowledgements were handled within the wait
	 */
	private record Times(double resentMillis, double handledMillis, int handled) {
	}

	private record Restore(double storeMillis, double clientMillis, Times times, long storeBytes, long restoredBytes) {

		double resentMillis() {
			return this.times.resentMillis();
		}

		double handledMillis() {
			return this.times.handledMillis();
		}

	}

	/**
	 * Paho's MemoryPersistence holding messages Paho had persisted before a restart: what
	 * Paho's restore reads when nothing has to come from a database. MemoryPersistence
	 * empties itself on every open; this one fills itself on the first.
	 */
	private static final class PrefilledMemoryPersistence extends MemoryPersistence {

		private List<PendingMessage> prefill;

		PrefilledMemoryPersistence(List<PendingMessage> messages) {
			this.prefill = messages;
		}

		@Override
		public void open(String clientId, String serverURI) throws MqttPersistenceException {
			super.open(clientId, serverURI);
			if (this.prefill != null) {
				for (PendingMessage message : this.prefill) {
					MqttMessage payload = new MqttMessage(message.payload());
					payload.setQos(message.qos());
					MqttPublish publish = new MqttPublish(message.topic(), payload);
					publish.setMessageId(message.packetId());
					put("s-" + message.packetId(), publish);
				}
				this.prefill = null;
			}
		}

	}

}
