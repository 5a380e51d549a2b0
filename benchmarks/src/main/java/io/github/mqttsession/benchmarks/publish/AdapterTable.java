package io.github.mqttsession.benchmarks.publish;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.benchmarks.Settings;

/**
 * The table of the outbound adapter against one broker, and its CSV rows: the default
 * window's rows, then the wide window's, each with its ratio to the in-memory store at
 * the same window within the same round, and what the default window costs each store.
 */
final class AdapterTable {

	private final Settings settings;

	private final Report report;

	AdapterTable(Settings settings, Report report) {
		this.settings = settings;
		this.report = report;
	}

	void write(String brokerId, String defaultsInForce, Map<AdapterWindow, Map<AdapterStore, List<AdapterRun>>> results,
			Map<AdapterStore, List<AdapterRun>> observed, List<String> errors) {
		String benchmark = "adapter/" + brokerId;
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "#### %d sending threads at the default settings (QoS 1, %d-byte payloads,"
				+ " median of %d rounds)%n%n"
				+ "Each thread sends to `mqttOutboundChannel` of an application configured by properties alone: the"
				+ " broker, the client id, the default topic and QoS, the store and its database; everything else is at"
				+ " its default (%s). A send waits for room in the in-flight window and returns once its message is"
				+ " durable or acknowledged; the measurement ends when the broker has acknowledged every message."
				+ " %,d messages per measurement after %,d warm-up ones (or fewer when it reaches %.0f s)."
				+ " `send µs` is the time `channel.send` took to return, over the sends of all threads of a"
				+ " measurement (a plain array of times per thread, sorted at the end): the median of the rounds'"
				+ " medians and of their 99th percentiles.%n%n"
				+ "The last three rows are an extra and **not the default**: `mqtt.client.max-inflight=65535` and"
				+ " `mqtt.session.max-pending-messages=65535`, a window that never fills here, to show what the default"
				+ " window costs; their ratio is to the in-memory store at the same window. All six run interleaved,"
				+ " round by round, each in an application of its own.%n%n", AdapterThroughput.THREADS,
				AdapterThroughput.PAYLOAD_BYTES, this.settings.rounds(), defaultsInForce, this.settings.messages(),
				this.settings.warmupMessages(), this.settings.measureSeconds()));
		md.append("| store | window | msgs/s | × in-memory | msgs/s per round | send µs: median | 99th percentile |"
				+ " 99th percentile per round |\n| --- | --- | ---: | ---: | --- | ---: | ---: | --- |\n");
		for (AdapterWindow window : AdapterWindow.values()) {
			Map<AdapterStore, List<AdapterRun>> byStore = results.get(window);
			for (AdapterStore store : AdapterStore.values()) {
				row(md, benchmark, window, store, byStore.get(store), byStore.get(AdapterStore.MEMORY));
			}
		}
		md.append('\n');
		md.append("With the default window the adapter runs at");
		for (AdapterStore store : AdapterStore.values()) {
			double cost = medianRatio(results.get(AdapterWindow.DEFAULT).get(store),
					results.get(AdapterWindow.WIDE).get(store), AdapterRun::messagesPerSecond);
			md.append((store == AdapterStore.MEMORY) ? " " : (store == AdapterStore.POSTGRES) ? " and " : ", ")
				.append(Report.ratio(cost))
				.append(" (")
				.append(store.description.replaceFirst(" \\(.*", ""))
				.append(")");
			this.report.add(new ResultRow(benchmark + "/window-cost", store.id, AdapterThroughput.THREADS,
					AdapterWindow.DEFAULT.size, cost, "ratio", cost));
		}
		md.append(" the rate with a window of ")
			.append(String.format(Locale.ROOT, "%,d", AdapterWindow.WIDE.size))
			.append(" (median of the per-round ratios).\n\n");
		observations(md, benchmark, results.get(AdapterWindow.DEFAULT), observed);
		for (String error : errors) {
			md.append("- **failed:** ").append(error).append('\n');
		}
		this.report.markdown(md.toString());
	}

	/**
	 * What observing each publish costs: the same store at the default window with an
	 * {@code ObservationRegistry} whose handler makes timers, against none, within each
	 * round.
	 */
	private void observations(StringBuilder md, String benchmark, Map<AdapterStore, List<AdapterRun>> plain,
			Map<AdapterStore, List<AdapterRun>> observed) {
		md.append("With an `ObservationRegistry` whose handler makes a timer of each observation (Micrometer's"
				+ " `DefaultMeterObservationHandler`, as Actuator gives an application), at the default window:\n\n"
				+ "| store | msgs/s observed | × not observed | send µs: median observed | median not observed |\n"
				+ "| --- | ---: | ---: | ---: | ---: |\n");
		for (Map.Entry<AdapterStore, List<AdapterRun>> entry : observed.entrySet()) {
			AdapterStore store = entry.getKey();
			List<AdapterRun> runs = entry.getValue();
			double rate = median(runs, AdapterRun::messagesPerSecond);
			double ratio = medianRatio(runs, plain.get(store), AdapterRun::messagesPerSecond);
			md.append("| ")
				.append(store.description)
				.append(" | ")
				.append(Report.number(rate))
				.append(" | ")
				.append(Report.ratio(ratio))
				.append(" | ")
				.append(Report.number(median(runs, AdapterRun::sendMedianMicros)))
				.append(" | ")
				.append(Report.number(median(plain.get(store), AdapterRun::sendMedianMicros)))
				.append(" |\n");
			this.report.add(new ResultRow(benchmark + "/observed", store.id + "-observed", AdapterThroughput.THREADS,
					AdapterWindow.DEFAULT.size, Math.rint(rate), "msgs/s", ratio));
		}
		md.append('\n');
	}

	private void row(StringBuilder md, String benchmark, AdapterWindow window, AdapterStore store,
			List<AdapterRun> measured, List<AdapterRun> baseline) {
		double rate = median(measured, AdapterRun::messagesPerSecond);
		double ratio = medianRatio(measured, baseline, AdapterRun::messagesPerSecond);
		double median = median(measured, AdapterRun::sendMedianMicros);
		double p99 = median(measured, AdapterRun::send99thMicros);
		md.append("| ")
			.append((window == AdapterWindow.DEFAULT) ? store.description : "extra: " + store.description)
			.append(" | ")
			.append((window == AdapterWindow.DEFAULT) ? window.size + " (default)" : "**65,535 (not a default)**")
			.append(" | ")
			.append(Report.number(rate))
			.append(" | ")
			.append(Report.ratio(ratio))
			.append(" | ")
			.append(perRound(measured, AdapterRun::messagesPerSecond))
			.append(" | ")
			.append(Report.number(median))
			.append(" | ")
			.append(Report.number(p99))
			.append(" | ")
			.append(perRound(measured, AdapterRun::send99thMicros))
			.append(" |\n");
		String id = store.id + window.idSuffix;
		int threads = AdapterThroughput.THREADS;
		this.report.add(new ResultRow(benchmark, id, threads, window.size, Math.rint(rate), "msgs/s", ratio));
		this.report.add(new ResultRow(benchmark + "/send", id, threads, window.size, median, "us-median", Double.NaN));
		this.report.add(new ResultRow(benchmark + "/send", id, threads, window.size, p99, "us-p99", Double.NaN));
	}

	private static String perRound(List<AdapterRun> measured, ToDoubleFunction<AdapterRun> value) {
		StringBuilder text = new StringBuilder();
		for (AdapterRun run : measured) {
			text.append((text.length() > 0) ? " / " : "").append(Report.number(value.applyAsDouble(run)));
		}
		return text.toString();
	}

	private static double median(List<AdapterRun> measured, ToDoubleFunction<AdapterRun> value) {
		return PublishThroughput.median(measured.stream().mapToDouble(value).toArray());
	}

	/** The median of the ratios taken within each round. */
	private static double medianRatio(List<AdapterRun> measured, List<AdapterRun> baseline,
			ToDoubleFunction<AdapterRun> value) {
		double[] ratios = new double[measured.size()];
		for (int i = 0; i < ratios.length; i++) {
			ratios[i] = value.applyAsDouble(measured.get(i)) / value.applyAsDouble(baseline.get(i));
		}
		return PublishThroughput.median(ratios);
	}

}
