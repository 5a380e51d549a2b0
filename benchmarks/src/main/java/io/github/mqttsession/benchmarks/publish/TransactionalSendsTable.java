package io.github.mqttsession.benchmarks.publish;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.github.mqttsession.benchmarks.Report;
import io.github.mqttsession.benchmarks.ResultRow;
import io.github.mqttsession.benchmarks.Settings;

/**
 * The table of transactional sends against one broker, and its CSV rows: per store, the
 * plain sends, then one and ten sends per transaction, each with its ratio to the plain
 * sends on the same store within the same round.
 */
final class TransactionalSendsTable {

	private final Settings settings;

	private final Report report;

	TransactionalSendsTable(Settings settings, Report report) {
		this.settings = settings;
		this.report = report;
	}

	void write(String brokerId, String transactionManager,
			Map<AdapterStore, Map<SendsPerTransaction, List<AdapterRun>>> results, List<String> errors) {
		String benchmark = "transactional/" + brokerId;
		StringBuilder md = new StringBuilder();
		md.append(String.format(Locale.ROOT, "#### %d sending threads, `mqtt.outbound.transactional: true` (QoS 1,"
				+ " %d-byte payloads, median of %d rounds)%n%n"
				+ "The application of section 1b, with `mqtt.outbound.transactional: true` and otherwise at the"
				+ " defaults, sends to `mqttOutboundChannel` from %d threads: outside transactions (published at once,"
				+ " the baseline), each send in a transaction of its own, and ten sends per transaction, each"
				+ " transaction a `TransactionTemplate` on the application's `%s` (the store's DataSource). A message sent in"
				+ " a transaction is written in it and handed to the client after its commit. Spring Integration"
				+ " publishes no `MqttMessageSentEvent` for such messages, so a measurement ends when the session's"
				+ " pending messages in `MQTT_PENDING_MESSAGE` are down to 0 (every message acknowledged), for the"
				+ " baseline too. %,d messages per measurement after %,d warm-up ones (or fewer when it reaches"
				+ " %.0f s). `× plain` is the median of the per-round ratios to the plain sends on the same store."
				+ " `call µs` is the time one call took to return: a `channel.send` for the plain sends, the whole"
				+ " `TransactionTemplate.execute` (its sends, its commit and the hand-over) otherwise. All six run"
				+ " interleaved, round by round, each in an application of its own.%n%n", AdapterThroughput.THREADS,
				AdapterThroughput.PAYLOAD_BYTES, this.settings.rounds(), AdapterThroughput.THREADS, transactionManager,
				this.settings.messages(), this.settings.warmupMessages(), this.settings.measureSeconds()));
		md.append("| store | sends | msgs/s | × plain | msgs/s per round | call µs: median | 99th percentile |\n"
				+ "| --- | --- | ---: | ---: | --- | ---: | ---: |\n");
		for (Map.Entry<AdapterStore, Map<SendsPerTransaction, List<AdapterRun>>> entry : results.entrySet()) {
			for (SendsPerTransaction grouping : SendsPerTransaction.values()) {
				row(md, benchmark, entry.getKey(), grouping, entry.getValue().get(grouping),
						entry.getValue().get(SendsPerTransaction.PLAIN));
			}
		}
		md.append('\n');
		for (String error : errors) {
			md.append("- **failed:** ").append(error).append('\n');
		}
		this.report.markdown(md.toString());
	}

	private void row(StringBuilder md, String benchmark, AdapterStore store, SendsPerTransaction grouping,
			List<AdapterRun> measured, List<AdapterRun> plain) {
		double rate = median(measured, AdapterRun::messagesPerSecond);
		double ratio = medianRatio(measured, plain);
		double median = median(measured, AdapterRun::sendMedianMicros);
		double p99 = median(measured, AdapterRun::send99thMicros);
		md.append("| ")
			.append(store.description)
			.append(" | ")
			.append(grouping.description)
			.append(" | ")
			.append(Report.number(rate))
			.append(" | ")
			.append(Report.ratio(ratio))
			.append(" | ")
			.append(perRound(measured))
			.append(" | ")
			.append(Report.number(median))
			.append(" | ")
			.append(Report.number(p99))
			.append(" |\n");
		String id = store.id + "-" + grouping.id;
		int threads = AdapterThroughput.THREADS;
		int window = AdapterWindow.DEFAULT.size;
		this.report.add(new ResultRow(benchmark, id, threads, window, Math.rint(rate), "msgs/s", ratio));
		this.report.add(new ResultRow(benchmark + "/call", id, threads, window, median, "us-median", Double.NaN));
		this.report.add(new ResultRow(benchmark + "/call", id, threads, window, p99, "us-p99", Double.NaN));
	}

	private static String perRound(List<AdapterRun> measured) {
		StringBuilder text = new StringBuilder();
		for (AdapterRun run : measured) {
			text.append((text.length() > 0) ? " / " : "").append(Report.number(run.messagesPerSecond()));
		}
		return text.toString();
	}

	private static double median(List<AdapterRun> measured, ToDoubleFunction<AdapterRun> value) {
		return PublishThroughput.median(measured.stream().mapToDouble(value).toArray());
	}

	/** The median of the rate's ratios to the plain sends, taken within each round. */
	private static double medianRatio(List<AdapterRun> measured, List<AdapterRun> plain) {
		double[] ratios = new double[measured.size()];
		for (int i = 0; i < ratios.length; i++) {
			ratios[i] = measured.get(i).messagesPerSecond() / plain.get(i).messagesPerSecond();
		}
		return PublishThroughput.median(ratios);
	}

}
