package io.github.mqttsession.benchmarks.support;

/** An MQTT broker the end-to-end benchmarks publish to, started and stopped by the harness. */
public interface Broker extends AutoCloseable {

	/**
	 * What the results call this broker.
	 * @return a short name with its version
	 */
	String name();

	/**
	 * The URL a Paho client connects with.
	 * @return {@code tcp://127.0.0.1:port}
	 */
	String url();

	@Override
	void close();

}
