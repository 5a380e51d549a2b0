package io.github.mqttsession.benchmarks;

import java.util.Locale;

/**
 * One line of {@code results.csv}: a measure of one variant.
 *
 * @param benchmark what was measured, such as {@code publish/hivemq} or
 * {@code store/addAndRemovePendingMessage}
 * @param variant the variant, such as {@code A-paho-memory} or {@code jpa-postgres/10000}
 * @param threads publishing or benchmark threads
 * @param window messages in flight at most (0 where it does not apply)
 * @param value the measured value
 * @param unit its unit, such as {@code msgs/s} or {@code us/op}
 * @param ratioToBaseline the value divided by its baseline's, measured in the same run;
 * NaN when there is none
 */
public record ResultRow(String benchmark, String variant, int threads, int window, double value, String unit,
		double ratioToBaseline) {

	/** The CSV header. */
	public static final String HEADER = "benchmark,variant,threads,window,value,unit,ratio_to_baseline";

	/**
	 * This row as CSV.
	 * @return the line, without a line break
	 */
	public String toCsv() {
		return String.join(",", this.benchmark, this.variant, Integer.toString(this.threads),
				Integer.toString(this.window), format(this.value), this.unit,
				Double.isNaN(this.ratioToBaseline) ? "" : String.format(Locale.ROOT, "%.3f", this.ratioToBaseline));
	}

	private static String format(double value) {
		if (value == Math.rint(value) && Math.abs(value) < 1e15) {
			return Long.toString((long) value);
		}
		return String.format(Locale.ROOT, (Math.abs(value) >= 100) ? "%.1f" : "%.4g", value);
	}

}
