package io.github.mqttsession.benchmarks.publish;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.github.mqttsession.benchmarks.support.MosquittoBroker;
import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.EmbeddedHiveMq;
import io.github.mqttsession.testsupport.Folders;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * Publishes with some variants of the end-to-end benchmark, one after the other, for a
 * profiler to watch (see {@code benchmarks/profile}), against an embedded HiveMQ CE (or
 * Mosquitto, with {@code -Dbroker=mosquitto}, when it is installed) and a PostgreSQL
 * server that tracks its statements ({@code pg_stat_statements}). After each round it
 * prints the rate, the CPU per message of this JVM and of PostgreSQL, and the statements
 * PostgreSQL spent most time on in that round: calls, rows, and milliseconds per call.
 */
public final class ProfileRound {

	private static final String USAGE = "arguments: VARIANTS THREADS WINDOW MESSAGES ROUNDS, such as E,C 8 100 60000 4"
			+ " (variants " + Arrays.toString(Variant.values()) + ", taken in turn round by round)";

	private ProfileRound() {
	}

	/**
	 * Runs the rounds.
	 * @param args variants (comma-separated), publishing threads, window, messages per
	 * round, rounds
	 * @throws Exception when a round fails
	 */
	public static void main(String[] args) throws Exception {
		if (args.length != 5) {
			throw new IllegalArgumentException(USAGE);
		}
		List<Variant> variants = Arrays.stream(args[0].split(",")).map(Variant::valueOf).toList();
		int threads = Integer.parseInt(args[1]);
		int window = Integer.parseInt(args[2]);
		int messages = Integer.parseInt(args[3]);
		int rounds = Integer.parseInt(args[4]);
		Path work = Files.createTempDirectory("mqtt-session-profile");
		byte[] payload = new byte[256];
		new Random(42).nextBytes(payload);
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder()
			.setServerConfig("synchronous_commit", "on")
			.setServerConfig("fsync", "on")
			.setServerConfig("shared_preload_libraries", "pg_stat_statements")
			.setServerConfig("pg_stat_statements.track", "all")
			.start();
				Broker broker = startBroker(work);
				Persistences persistences = new Persistences(work, postgres.getJdbcUrl("postgres", "postgres"))) {
			execute(postgres, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
			Publisher publisher = new Publisher(broker.url(), payload);
			for (int round = 0; round < rounds; round++) {
				Variant variant = variants.get(round % variants.size());
				String clientId = "profile-" + variant.name() + "-" + round;
				execute(postgres, "SELECT pg_stat_statements_reset()");
				Map<String, Long> postgresBefore = postgresCpuByProcess(postgres);
				Persistences.Opened opened = persistences.open(variant, clientId);
				Measurement measurement;
				Map<String, Long> threadsBefore = threadCpu();
				Map<String, Long> threadsSeen = new java.util.concurrent.ConcurrentHashMap<>();
				Thread sampler = new Thread(() -> {
					while (!Thread.currentThread().isInterrupted()) {
						threadCpu().forEach((thread, cpu) -> threadsSeen.merge(thread, cpu, Math::max));
						try {
							Thread.sleep(100);
						}
						catch (InterruptedException ex) {
							return;
						}
					}
				}, "profile-sampler");
				sampler.setDaemon(true);
				sampler.start();
				try {
					measurement = publisher.run(clientId, opened.persistence(), opened.gate(), opened.counting(),
							threads, window, 2_000, 2, messages, 60);
					System.out.printf(Locale.ROOT,
							"round %d, %s: %,.0f msgs/s; CPU µs/msg: this JVM %.1f, PostgreSQL %.1f%n", round + 1,
							variant.id(), measurement.messagesPerSecond(), measurement.jvmCpuMicros(),
							measurement.postgresCpuMicros());
				}
				finally {
					opened.cleanUp().run();
				}
				sampler.interrupt();
				threadCpu().forEach((thread, cpu) -> threadsSeen.merge(thread, cpu, Math::max));
				printThreadCpu(threadsBefore, threadsSeen, measurement.messages());
				printPostgresCpu(postgresBefore, postgresCpuByProcess(postgres), measurement.messages());
				printTopStatements(postgres);
			}
		}
		finally {
			Folders.deleteRecursively(work);
		}
	}

	private static Broker startBroker(Path work) {
		String name = System.getProperty("broker", "hivemq");
		if (name.equals("hivemq")) {
			return new EmbeddedHiveMq(work);
		}
		if (name.equals("mosquitto")) {
			return MosquittoBroker.startIfInstalled(work)
				.orElseThrow(
						() -> new IllegalStateException("-Dbroker=mosquitto, but no mosquitto binary is installed"));
		}
		throw new IllegalArgumentException("-Dbroker=" + name + ": use hivemq or mosquitto");
	}

	/**
	 * CPU time of this JVM's live threads by name, digits taken out so that a pool's
	 * threads count together, in nanoseconds.
	 */
	private static Map<String, Long> threadCpu() {
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		Map<String, Long> byName = new TreeMap<>();
		for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
			if (info != null) {
				long cpu = threads.getThreadCpuTime(info.getThreadId());
				if (cpu > 0) {
					byName.merge(info.getThreadName().replaceAll("[0-9]+", "N") + "#" + info.getThreadId(), cpu,
							Long::sum);
				}
			}
		}
		return byName;
	}

	private static void printThreadCpu(Map<String, Long> before, Map<String, Long> after, long messages) {
		Map<String, Long> byGroup = new TreeMap<>();
		after.forEach((thread, cpu) -> byGroup.merge(thread.substring(0, thread.lastIndexOf('#')),
				cpu - before.getOrDefault(thread, 0L), Long::sum));
		StringBuilder line = new StringBuilder("  this JVM's CPU µs/msg by thread:");
		byGroup.entrySet()
			.stream()
			.filter((entry) -> entry.getValue() / 1000.0 / messages >= 0.5)
			.sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
			.forEach((entry) -> line
				.append(String.format(Locale.ROOT, " %s %.1f,", entry.getKey(), entry.getValue() / 1000.0 / messages)));
		System.out.println(line);
	}

	private static void execute(EmbeddedPostgres postgres, String sql) throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

	/**
	 * CPU time of the server's processes by their type ({@code pg_stat_activity}'s
	 * {@code backend_type}: client backends, walwriter, checkpointer, autovacuum...),
	 * user and system time apart (a commit's flush of the WAL is system time), from
	 * {@code /proc}, in clock ticks; {@code ended processes} is what the postmaster
	 * collected from the processes that ended (short-lived autovacuum workers, closed
	 * connections).
	 */
	private static Map<String, Long> postgresCpuByProcess(EmbeddedPostgres postgres) throws SQLException {
		Map<String, Long> ticks = new TreeMap<>();
		String postmaster = null;
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT pid, backend_type FROM pg_stat_activity")) {
			while (rows.next()) {
				String[] stat = stat(rows.getInt(1));
				if (stat != null) {
					ticks.merge(rows.getString(2) + " user", Long.parseLong(stat[11]), Long::sum);
					ticks.merge(rows.getString(2) + " system", Long.parseLong(stat[12]), Long::sum);
					postmaster = stat[1];
				}
			}
		}
		String[] stat = (postmaster != null) ? stat(Integer.parseInt(postmaster)) : null;
		if (stat != null) {
			ticks.put("ended processes", Long.parseLong(stat[13]) + Long.parseLong(stat[14]));
		}
		return ticks;
	}

	/**
	 * The fields of a process's {@code /proc/PID/stat} after its command; absent when it
	 * ended.
	 */
	private static String @Nullable [] stat(int pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		}
		catch (IOException ex) {
			return null;
		}
	}

	private static void printPostgresCpu(Map<String, Long> before, Map<String, Long> after, long messages) {
		StringBuilder line = new StringBuilder("  PostgreSQL CPU µs/msg by process:");
		after.forEach((type, ticks) -> {
			long delta = ticks - before.getOrDefault(type, 0L);
			if (delta > 0) {
				// A clock tick is 10 ms
				line.append(String.format(Locale.ROOT, " %s %.1f,", type, delta * 10_000.0 / messages));
			}
		});
		System.out.println(line.substring(0, line.length() - 1));
	}

	private static void printTopStatements(EmbeddedPostgres postgres) throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery("SELECT calls, rows, total_exec_time / calls,"
						+ " left(regexp_replace(query, '\\s+', ' ', 'g'), 110) FROM pg_stat_statements"
						+ " WHERE calls > 10 ORDER BY total_exec_time DESC LIMIT 5")) {
			while (rows.next()) {
				System.out.printf(Locale.ROOT, "  %,9d calls %,9d rows %8.4f ms/call  %s%n", rows.getLong(1),
						rows.getLong(2), rows.getDouble(3), rows.getString(4));
			}
		}
	}

}
