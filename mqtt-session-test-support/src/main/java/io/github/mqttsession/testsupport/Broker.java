package io.github.mqttsession.testsupport;

/** An MQTT broker on 127.0.0.1 that a test or a benchmark started and stops. */
public interface Broker extends AutoCloseable {

	/**
	 * What reports call this broker.
	 * @return a short name with its version
	 */
	String name();

	/**
	 * The URL a Paho client connects with.
	 * @return {@code tcp://127.0.0.1:port}
	 */
	String url();

	/**
	 * Stops the broker and deletes its files, as far as it can: a failure to stop must
	 * not hide results.
	 */
	@Override
	void close();

}
