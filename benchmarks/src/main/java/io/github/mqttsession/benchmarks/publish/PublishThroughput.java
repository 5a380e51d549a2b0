package io.github.mqttsession.benchmarks.publish;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import io.github.mqttsession.benchmarks.Part;
import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.testsupport.Broker;

/**
 * Part 1, the headline: durable QoS 1 publish throughput end to end, variants A–E
 * interleaved round by round against one broker, with one publishing thread (window 10)
 * and with 8 (window 100). Medians over the rounds; each ratio is computed within its
 * round, then the median taken.
 */
public final class PublishThroughput {

	/** Publishing threads and window of each configuration. */
	private static final int[][] CONFIGURATIONS = { { 1, 10 }, { 8, 100 } };

	private static final int PAYLOAD_BYTES = 256;

	private final Part part;

	/**
	 * Creates the benchmark.
	 * @param part the run's settings, folder, PostgreSQL server and report
	 */
	public PublishThroughput(Part part) {
		this.part = part;
	}

	/**
	 * Runs every configuration against a broker.
	 * @param broker the broker
	 * @param brokerId a short id for the CSV, such as {@code hivemq}
	 */
	public void run(Broker broker, String brokerId) {
		byte[] payload = new byte[PAYLOAD_BYTES];
		new Random(42).nextBytes(payload);
		Publisher publisher = new Publisher(broker.url(), payload);
		StringBuilder md = new StringBuilder();
		md.append("### Against ").append(broker.name()).append("\n\n");
		try (Persistences persistences = new Persistences(this.part.work(), this.part.postgresUrl())) {
			for (int[] configuration : CONFIGURATIONS) {
				int threads = configuration[0];
				int window = configuration[1];
				Map<Variant, List<Measurement>> results = new EnumMap<>(Variant.class);
				List<String> errors = new ArrayList<>();
				for (int round = 0; round < this.part.settings().rounds(); round++) {
					Variant[] order = rotated(round);
					for (Variant variant : order) {
						String clientId = "bench-" + brokerId + "-" + variant.name() + "-t" + threads + "-r" + round
								+ "-" + System.nanoTime();
						Measurement measurement = measure(publisher, persistences, variant, clientId, threads, window,
								errors);
						results.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(measurement);
						System.out.printf(Locale.ROOT, "  publish %s threads=%d window=%d round=%d %s: %,.0f msgs/s%n",
								brokerId, threads, window, round + 1, variant.id(), measurement.messagesPerSecond());
					}
				}
				table(md, brokerId, threads, window, results, errors);
			}
		}
		this.part.report().markdown(md.toString());
	}

	/**
	 * Each round starts at the next variant, so that no variant always runs first or
	 * right after another.
	 */
	private static Variant[] rotated(int round) {
		Variant[] all = Variant.values();
		Variant[] order = new Variant[all.length];
		for (int i = 0; i < all.length; i++) {
			order[i] = all[(i + round) % all.length];
		}
		return order;
	}

	private Measurement measure(Publisher publisher, Persistences persistences, Variant variant, String clientId,
			int threads, int window, List<String> errors) {
		Persistences.Opened opened = persistences.open(variant, clientId);
		try {
			return publisher.run(clientId, opened.persistence(), opened.gate(), opened.counting(), threads, window,
					this.part.settings().warmupMessages(), this.part.settings().warmupSeconds(),
					this.part.settings().messages(), this.part.settings().measureSeconds());
		}
		catch (Exception ex) {
			String message = variant.id() + " (threads " + threads + "): " + ex;
			System.out.println("  FAILED " + message);
			errors.add(message);
			return Measurement.FAILED;
		}
		finally {
			try {
				opened.cleanUp().run();
			}
			catch (RuntimeException ex) {
				errors.add(variant.id() + " clean-up: " + ex);
			}
		}
	}

	private void table(StringBuilder md, String brokerId, int threads, int window,
			Map<Variant, List<Measurement>> results, List<String> errors) {
		int rounds = this.part.settings().rounds();
		md.append(String.format(Locale.ROOT,
				"#### %d publishing thread%s, window %d (QoS 1, %d-byte payloads, median of %d rounds)%n%n"
						+ "Each measurement publishes %,d messages after %,d warm-up ones, or fewer when it reaches"
						+ " %.0f s (warm-up: %.0f s): then it stops publishing and waits for the messages in flight."
						+ " The `measured` column gives the median count.%n%n",
				threads, (threads == 1) ? "" : "s", window, PAYLOAD_BYTES, rounds, this.part.settings().messages(),
				this.part.settings().warmupMessages(), this.part.settings().measureSeconds(),
				this.part.settings().warmupSeconds()));
		boolean mosquitto = brokerId.equals("mosquitto");
		md.append(
				"| variant | msgs/s | × A | msgs/s per round | measured | put µs | lock busy | remove µs (calls/msg) | callback busy | SQL statements/msg | commits/msg | statements/commit | CPU µs/msg: JVM | PostgreSQL |")
			.append(mosquitto ? " Mosquitto |\n" : "\n");
		md.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
			.append(mosquitto ? " ---: |\n" : "\n");
		List<Measurement> baseline = results.get(Variant.A);
		String benchmark = "publish/" + brokerId;
		for (Variant variant : Variant.values()) {
			List<Measurement> measured = results.get(variant);
			double rate = median(measured, Measurement::messagesPerSecond);
			double ratio = medianRatio(measured, baseline);
			StringBuilder perRound = new StringBuilder();
			for (Measurement measurement : measured) {
				perRound.append((perRound.length() > 0) ? " / " : "")
					.append(Report.number(measurement.messagesPerSecond()));
			}
			md.append("| ")
				.append(variant.description())
				.append(" | ")
				.append(Report.number(rate))
				.append(" | ")
				.append(Report.ratio(ratio))
				.append(" | ")
				.append(perRound)
				.append(" | ")
				.append(Report.number(median(measured, (m) -> m.messages())))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::putMicros)))
				.append(" | ")
				.append(percent(median(measured, Measurement::lockBusy)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::removeMicros)))
				.append(" (")
				.append(Report.number(median(measured, Measurement::removesPerMessage)))
				.append(")")
				.append(" | ")
				.append(percent(median(measured, Measurement::callbackBusy)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::statementsPerMessage)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::commitsPerMessage)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::statementsPerCommit)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::jvmCpuMicros)))
				.append(" | ")
				.append(Report.number(median(measured, Measurement::postgresCpuMicros)))
				.append(mosquitto ? " | " + Report.number(median(measured, Measurement::mosquittoCpuMicros)) : "")
				.append(" |\n");
			this.part.report()
				.add(new ResultRow(benchmark + "/cpu", variant.id(), threads, window,
						median(measured, Measurement::jvmCpuMicros), "jvm-cpu-us/msg", Double.NaN));
			this.part.report()
				.add(new ResultRow(benchmark, variant.id(), threads, window, round(rate), "msgs/s", ratio));
			if (variant.hasDatabase()) {
				this.part.report()
					.add(new ResultRow(benchmark + "/sql", variant.id(), threads, window,
							median(measured, Measurement::statementsPerMessage), "statements/msg", Double.NaN));
				this.part.report()
					.add(new ResultRow(benchmark + "/sql", variant.id(), threads, window,
							median(measured, Measurement::commitsPerMessage), "commits/msg", Double.NaN));
			}
			if (variant != Variant.A) {
				this.part.report()
					.add(new ResultRow(benchmark + "/put", variant.id(), threads, window,
							median(measured, Measurement::putMicros), "us/put", Double.NaN));
			}
		}
		long retries = results.values().stream().flatMap(List::stream).mapToLong(Measurement::maxInflightRetries).sum();
		md.append('\n');
		if (retries > 0) {
			md.append("Paho refused a publish for a full window ")
				.append(retries)
				.append(" times in these runs; the publisher retried after 20 µs.\n\n");
		}
		for (String error : errors) {
			md.append("- **failed:** ").append(error).append('\n');
		}
		if (!errors.isEmpty()) {
			md.append('\n');
		}
		targets(md, benchmark, threads, window, results);
	}

	private void targets(StringBuilder md, String benchmark, int threads, int window,
			Map<Variant, List<Measurement>> results) {
		List<String[]> lines = new ArrayList<>();
		if (threads == 1) {
			lines.add(target(benchmark, "E-vs-B", threads, window, results.get(Variant.E), results.get(Variant.B), 1.3,
					"E ≥ 1.3× B"));
			lines.add(target(benchmark, "D-vs-B", threads, window, results.get(Variant.D), results.get(Variant.B), 1.5,
					"D ≥ 1.5× B"));
			lines.add(target(benchmark, "C-vs-A", threads, window, results.get(Variant.C), results.get(Variant.A), 0.9,
					"C ≥ 0.9× A"));
		}
		else {
			lines.add(target(benchmark, "E-vs-A", threads, window, results.get(Variant.E), results.get(Variant.A), 0.5,
					"E ≥ 0.5× A"));
			lines.add(target(benchmark, "D-vs-A", threads, window, results.get(Variant.D), results.get(Variant.A), 0.6,
					"D ≥ 0.6× A"));
			lines.add(cpuTarget(benchmark, "E-jvm-cpu-vs-A", threads, window, results.get(Variant.E),
					results.get(Variant.A), Measurement::jvmCpuMicros, 1.3, "CPU µs/msg of this JVM: E ≤ 1.3× A"));
		}
		lines.add(cpuTarget(benchmark, "E-postgres-cpu-vs-E2", threads, window, results.get(Variant.E),
				results.get(Variant.E2), Measurement::postgresCpuMicros, 0.5,
				"CPU µs/msg of PostgreSQL: E ≤ 0.5× step 2 (no write delay)"));
		// Not targets: what a publisher that waits for its message reaches with nothing
		// durable, and how close the durable store comes to it
		lines.add(reference(benchmark, "A1-vs-A", threads, window, results.get(Variant.A1), results.get(Variant.A),
				Measurement::messagesPerSecond,
				"for reference, msgs/s: A1 (each publisher waits, nothing durable) / A"));
		lines.add(reference(benchmark, "A1-jvm-cpu-vs-A", threads, window, results.get(Variant.A1),
				results.get(Variant.A), Measurement::jvmCpuMicros, "for reference, CPU µs/msg of this JVM: A1 / A"));
		lines.add(reference(benchmark, "E-vs-A1", threads, window, results.get(Variant.E), results.get(Variant.A1),
				Measurement::messagesPerSecond, "for reference, msgs/s: E / A1"));
		md.append("| target | measured (median of per-round ratios) | met |\n| --- | ---: | --- |\n");
		for (String[] line : lines) {
			md.append("| ").append(String.join(" | ", line)).append(" |\n");
		}
		md.append('\n');
	}

	private String[] target(String benchmark, String name, int threads, int window, List<Measurement> measured,
			List<Measurement> baseline, double goal, String text) {
		double ratio = medianRatio(measured, baseline);
		this.part.report().add(new ResultRow(benchmark + "/target", name, threads, window, ratio, "ratio", ratio));
		String met = Double.isNaN(ratio) ? "—" : (ratio >= goal) ? "yes" : "**no**";
		return new String[] { text, Report.ratio(ratio), met };
	}

	/**
	 * A target that a cost meets by staying at or under a share of the baseline's, each
	 * ratio taken within its round.
	 */
	private String[] cpuTarget(String benchmark, String name, int threads, int window, List<Measurement> measured,
			List<Measurement> baseline, ToDoubleFunction<Measurement> cost, double goal, String text) {
		double ratio = medianRatio(measured, baseline, cost);
		this.part.report().add(new ResultRow(benchmark + "/target", name, threads, window, ratio, "ratio", ratio));
		String met = Double.isNaN(ratio) ? "—" : (ratio <= goal) ? "yes" : "**no**";
		return new String[] { text, Report.ratio(ratio), met };
	}

	/** A ratio shown beside the targets, without a goal. */
	private String[] reference(String benchmark, String name, int threads, int window, List<Measurement> measured,
			List<Measurement> baseline, ToDoubleFunction<Measurement> value, String text) {
		double ratio = medianRatio(measured, baseline, value);
		this.part.report().add(new ResultRow(benchmark + "/reference", name, threads, window, ratio, "ratio", ratio));
		return new String[] { text, Report.ratio(ratio), "—" };
	}

	private static String percent(double share) {
		return Double.isNaN(share) ? "—" : String.format(Locale.ROOT, "%.0f%%", share * 100);
	}

	private static double round(double value) {
		return Double.isNaN(value) ? value : Math.rint(value);
	}

	static double median(List<Measurement> measured, ToDoubleFunction<Measurement> value) {
		return median(measured.stream().mapToDouble(value).toArray());
	}

	/** The median of the per-round ratios. */
	static double medianRatio(List<Measurement> measured, List<Measurement> baseline) {
		return medianRatio(measured, baseline, Measurement::messagesPerSecond);
	}

	/** The median of the per-round ratios of a value. */
	static double medianRatio(List<Measurement> measured, List<Measurement> baseline,
			ToDoubleFunction<Measurement> value) {
		double[] ratios = new double[measured.size()];
		for (int i = 0; i < ratios.length; i++) {
			ratios[i] = value.applyAsDouble(measured.get(i)) / value.applyAsDouble(baseline.get(i));
		}
		return median(ratios);
	}

	static double median(double[] values) {
		double[] present = Arrays.stream(values).filter((value) -> !Double.isNaN(value)).sorted().toArray();
		if (present.length == 0) {
			return Double.NaN;
		}
		int middle = present.length / 2;
		return (present.length % 2 == 1) ? present[middle] : (present[middle - 1] + present[middle]) / 2;
	}

}
