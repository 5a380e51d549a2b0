package io.github.mqttsession.benchmarks.publish;

import java.util.Arrays;

/**
 * How long each {@code channel.send} took to return. A sending thread keeps its own times
 * in a plain array (recording costs an array store, and threads share nothing while they
 * send) and hands them over once it is done.
 */
final class SendTimes {

	private long[] nanos = new long[0];

	/**
	 * Takes a thread's times once it has sent its share.
	 * @param times the times, in nanoseconds
	 * @param count how many of them are filled in
	 */
	synchronized void add(long[] times, int count) {
		long[] all = Arrays.copyOf(this.nanos, this.nanos.length + count);
		System.arraycopy(times, 0, all, this.nanos.length, count);
		this.nanos = all;
	}

	/**
	 * The median and 99th percentile of all threads' sends.
	 * @return the percentiles, in microseconds; NaN when nothing was sent
	 */
	synchronized double[] medianAnd99thMicros() {
		long[] sorted = this.nanos.clone();
		Arrays.sort(sorted);
		return new double[] { percentileMicros(sorted, 50), percentileMicros(sorted, 99) };
	}

	/**
	 * Nearest rank: the smallest time that at least the given share of the sends did not
	 * exceed.
	 */
	private static double percentileMicros(long[] sorted, double percentile) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		int rank = (int) Math.ceil(percentile / 100 * sorted.length);
		return sorted[Math.max(0, rank - 1)] / 1e3;
	}

}
