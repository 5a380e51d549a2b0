package io.github.mqttsession.benchmarks.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.mqttsession.benchmarks.Part;
import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.benchmarks.RunAll;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.CountingDataSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link StoreOperationsBenchmark} through JMH with pinned forks and iterations,
 * then counts the SQL statements and commits of each operation once, and reports both
 * with their ratios.
 */
public final class StoreOperationsSuite {

	private static final List<String> OPERATIONS = List.of("addAndRemovePendingMessage", "addSubscription", "load",
			"saveSessionChangedByOneMessage");

	private static final List<Integer> SIZES = List.of(0, 100, 10_000);

	private final Part part;

	/**
	 * Creates the benchmark.
	 * @param part the run's settings, folder, PostgreSQL server and report
	 */
	public StoreOperationsSuite(Part part) {
		this.part = part;
	}

	/**
	 * Runs the suite.
	 * @throws RunnerException when JMH cannot run
	 */
	public void run() throws RunnerException {
		// Read by the benchmark's set-up, in this JVM (quick mode) or a forked one
		// (passed on below)
		System.setProperty(Fixtures.POSTGRES_URL_PROPERTY, this.part.postgresUrl());
		System.setProperty(StoreOperationsBenchmark.WORK_PROPERTY, this.part.work().toString());
		ChainedOptionsBuilder options = new OptionsBuilder().threads(1)
			.shouldFailOnError(false)
			.jvmArgsAppend("-D" + Fixtures.POSTGRES_URL_PROPERTY + "=" + this.part.postgresUrl(),
					"-D" + StoreOperationsBenchmark.WORK_PROPERTY + "=" + this.part.work(),
					"-Dlogback.configurationFile=" + RunAll.LOGBACK_CONFIGURATION, "-Xms1g", "-Xmx1g");
		String pinned;
		if (this.part.settings().quick()) {
			options.param("pending", "0", "10000")
				.forks(0)
				.warmupIterations(1)
				.warmupTime(TimeValue.milliseconds(200))
				.measurementIterations(1)
				.measurementTime(TimeValue.milliseconds(300));
			pinned = "quick mode: sessions of 0 and 10,000 only, no fork (in the harness JVM), 1 × 200 ms warm-up,"
					+ " 1 × 300 ms measurement";
		}
		else {
			options.forks(1)
				.warmupIterations(2)
				.warmupTime(TimeValue.seconds(1))
				.measurementIterations(3)
				.measurementTime(TimeValue.seconds(1));
			pinned = "1 fork (-Xmx1g), 2 × 1 s warm-up, 3 × 1 s measurement";
		}
		// One JMH run per operation and store pair, so that what is compared (a store and
		// its baseline, a small and a large session) runs minutes apart at most:
		// background load on the machine drifts over a long run
		List<RunResult> results = new ArrayList<>();
		for (String operation : OPERATIONS) {
			for (String kind : Fixtures.KINDS) {
				String baseline = Fixtures.baselineOf(kind);
				if (baseline == null) {
					continue;
				}
				Options pair = new OptionsBuilder().parent(options.build())
					.include(StoreOperationsBenchmark.class.getName() + "\\." + operation + "$")
					.param("store", kind, baseline)
					.build();
				results.addAll(new Runner(pair).run());
			}
		}
		Map<String, double[]> scores = new HashMap<>();
		for (RunResult result : results) {
			String method = result.getParams().getBenchmark();
			String operation = method.substring(method.lastIndexOf('.') + 1);
			String key = key(operation, result.getParams().getParam("store"),
					Integer.parseInt(result.getParams().getParam("pending")));
			scores.put(key,
					new double[] { result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError() });
		}
		StringBuilder md = new StringBuilder();
		md.append("Mean time per operation in µs (JMH average time, ")
			.append(pinned)
			.append("; ± is JMH's 99.9% error where it could compute one). One client id; a session of one subscription")
			.append(" and 0, 100 or 10,000 outbound QoS 1 messages with 256-byte payloads. ")
			.append("Baselines: `map` = plain `ConcurrentHashMap`s (for `memory`); `jdbc-*` = raw JDBC of the same")
			.append(" statements on the same tables and pool (for `jpa-*`); a baseline save writes only the difference")
			.append(" from the session it last saved, as the store's own per-thread memory would allow.\n\n");
		for (String operation : OPERATIONS) {
			table(md, operation, scores);
		}
		md.append(statementCounts());
		this.part.report().markdown(md.toString());
	}

	private static String key(String operation, String store, int pending) {
		return operation + "/" + store + "/" + pending;
	}

	private void table(StringBuilder md, String operation, Map<String, double[]> scores) {
		md.append("#### `").append(operation).append("`\n\n");
		md.append(
				"| store | 0 pending | 100 pending | 10,000 pending | 10,000 ÷ 0 | ÷ baseline at 0 / 100 / 10,000 |\n");
		md.append("| --- | ---: | ---: | ---: | ---: | --- |\n");
		for (String kind : Fixtures.KINDS) {
			String baseline = Fixtures.baselineOf(kind);
			md.append("| `").append(kind).append('`');
			StringBuilder ratios = new StringBuilder();
			for (int size : SIZES) {
				double[] score = scores.get(key(operation, kind, size));
				double value = (score != null) ? score[0] : Double.NaN;
				md.append(" | ").append(Report.number(value));
				if (score != null && !Double.isNaN(score[1])) {
					md.append(" ± ").append(Report.number(score[1]));
				}
				double ratio = Double.NaN;
				if (baseline != null) {
					double[] base = scores.get(key(operation, baseline, size));
					ratio = (base != null) ? value / base[0] : Double.NaN;
					ratios.append((ratios.length() > 0) ? " / " : "").append(Report.ratio(ratio));
				}
				this.part.report()
					.add(new ResultRow("store/" + operation, kind + "/" + size, 1, 0, value, "us/op", ratio));
			}
			double[] small = scores.get(key(operation, kind, 0));
			double[] large = scores.get(key(operation, kind, 10_000));
			double growth = (small != null && large != null) ? large[0] / small[0] : Double.NaN;
			this.part.report()
				.add(new ResultRow("store/" + operation + "/10000-vs-0", kind, 1, 0, growth, "ratio", growth));
			md.append(" | ")
				.append(Report.ratio(growth))
				.append(" | ")
				.append((baseline != null) ? ratios + " (vs `" + baseline + "`)" : "baseline")
				.append(" |\n");
		}
		md.append('\n');
	}

	/**
	 * Counts, once per operation outside JMH, what each database kind sends to the
	 * database.
	 */
	private String statementCounts() {
		StringBuilder md = new StringBuilder();
		md.append("#### SQL statements and commits per operation (session of 100 pending messages, counted once)\n\n");
		md.append("Commits are `Connection.commit()` calls (the JPA store commits every transaction, reads too) plus"
				+ " writing statements run in auto-commit mode (the raw JDBC baseline).\n\n");
		md.append(
				"| store | add pending message | remove pending message | add subscription | load | save (one message changed) |\n");
		md.append("| --- | --- | --- | --- | --- | --- |\n");
		for (String kind : List.of("jpa-h2", "jdbc-h2", "jpa-postgres", "jdbc-postgres")) {
			md.append("| `").append(kind).append('`');
			try {
				Fixtures.Created created = Fixtures.create(kind, this.part.work(), true);
				try (SessionOperations operations = created.operations()) {
					CountingDataSource counter = created.counter();
					MqttSession base = Fixtures.session(100);
					PendingMessage extra = Fixtures.message(101);
					MqttSession plusOne = Fixtures.plus(base, extra);
					operations.save(base);
					operations.load();
					String add = count(counter, () -> operations.addPendingMessage(extra));
					String remove = count(counter, () -> operations
						.removePendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, extra.packetId()));
					String load = count(counter, operations::load);
					String save = count(counter, () -> operations.save(plusOne));
					String subscribe = count(counter,
							() -> operations.addSubscription(new Subscription("alarms/+", 1)));
					md.append(" | ")
						.append(add)
						.append(" | ")
						.append(remove)
						.append(" | ")
						.append(subscribe)
						.append(" | ")
						.append(load)
						.append(" | ")
						.append(save);
				}
			}
			catch (RuntimeException ex) {
				md.append(" | failed: ").append(ex.getMessage());
			}
			md.append(" |\n");
		}
		md.append('\n');
		return md.toString();
	}

	private static String count(CountingDataSource counter, Runnable operation) {
		counter.reset();
		operation.run();
		String breakdown = counter.statementsByKeyword()
			.entrySet()
			.stream()
			.map((entry) -> entry.getValue() + " " + entry.getKey())
			.collect(Collectors.joining(", "));
		long commits = counter.commitCount();
		return counter.statementCount() + (breakdown.isEmpty() ? "" : " (" + breakdown + ")") + ", " + commits
				+ ((commits == 1) ? " commit" : " commits");
	}

}
