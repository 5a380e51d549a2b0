package io.github.mqttsession.benchmarks.publish;

/**
 * What one publishing run of one variant measured.
 *
 * @param messagesPerSecond measured messages divided by the time from the first publish
 * to the last acknowledgement
 * @param messages messages measured: all asked for, or fewer when the time cap stopped
 * the publishers
 * @param putMicros mean time of a {@code put}, in microseconds
 * @param removeMicros mean time of a {@code remove} call (Paho makes two per
 * acknowledgement), in microseconds
 * @param removesPerMessage {@code remove} calls per message
 * @param statementsPerMessage SQL statements per message, NaN for variants without a
 * database
 * @param commitsPerMessage commits per message, NaN for variants without a database
 * @param maxInflightRetries how often Paho refused a publish for a full window and the
 * publisher tried again
 * @param jvmCpuMicros CPU time of this JVM per message (publishers, Paho, the writer, and
 * HiveMQ when it runs embedded), in microseconds
 * @param postgresCpuMicros CPU time of PostgreSQL's processes per message, in
 * microseconds
 * @param mosquittoCpuMicros CPU time of the Mosquitto process per message, in
 * microseconds
 */
record Measurement(double messagesPerSecond, long messages, double putMicros, double removeMicros,
		double removesPerMessage, double statementsPerMessage, double commitsPerMessage, long maxInflightRetries,
		double jvmCpuMicros, double postgresCpuMicros, double mosquittoCpuMicros) {

	/**
	 * The share of wall time Paho's queue lock is held by puts: Paho calls {@code put}
	 * inside it, one at a time.
	 * @return the share, 0..1
	 */
	double lockBusy() {
		return this.putMicros * this.messagesPerSecond / 1e6;
	}

	/**
	 * The share of wall time Paho's single callback thread spends in {@code remove}.
	 * @return the share, 0..1
	 */
	double callbackBusy() {
		return this.removeMicros * this.removesPerMessage * this.messagesPerSecond / 1e6;
	}

	/**
	 * SQL statements per commit: per gathered write, each one transaction.
	 * @return the statements, NaN for variants without a database
	 */
	double statementsPerCommit() {
		return this.statementsPerMessage / this.commitsPerMessage;
	}

	static final Measurement FAILED = new Measurement(Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
			Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN);

}
