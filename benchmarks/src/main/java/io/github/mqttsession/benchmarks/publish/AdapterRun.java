package io.github.mqttsession.benchmarks.publish;

/**
 * What one measurement of the outbound adapter gave.
 *
 * @param messagesPerSecond sent messages divided by the time from the first send to the
 * last acknowledgement
 * @param sendMedianMicros the median time a {@code channel.send} took to return, over all
 * sending threads
 * @param send99thMicros its 99th percentile
 */
record AdapterRun(double messagesPerSecond, double sendMedianMicros, double send99thMicros) {

	static final AdapterRun FAILED = new AdapterRun(Double.NaN, Double.NaN, Double.NaN);

}
