package io.github.mqttsession.persistence;

/**
 * A publish through a Paho client, run by a persistence that waits for the published
 * message to be durable once Paho returns.
 *
 * @param <T> what the publish returns, such as Paho's token
 * @param <E> what it throws, such as Paho's {@code MqttException}
 */
@FunctionalInterface
public interface DurablePublish<T, E extends Exception> {

	/**
	 * Publishes.
	 * @return what the publish returned
	 * @throws E when the publish fails
	 */
	T publish() throws E;

}
