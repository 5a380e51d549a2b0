package io.github.mqttsession.persistence;

/**
 * Paho's in-memory buffer of the messages a client published while it was not connected,
 * as its public API shows it: entries by index, oldest first. Paho sends them, and
 * deletes them one by one from the front, after the next connect.
 */
public interface OfflineBuffer {

	/**
	 * Whether the client is connected, when Paho may be draining the buffer.
	 * @return {@code true} when connected
	 */
	boolean isConnected();

	/**
	 * Whether a drain of an earlier connection may still hold the first entry, taken but
	 * not yet sent.
	 * @return {@code true} when the first entry must be left alone
	 */
	boolean mayHoldFirst();

	/**
	 * How many messages the buffer holds.
	 * @return the count
	 */
	int size();

	/**
	 * The object by which the message at an index is known when Paho stores it: the same
	 * instance every time.
	 * @param index the index
	 * @return the object
	 */
	Object identity(int index);

	/**
	 * Deletes the message at an index from the buffer (not from the persistence).
	 * @param index the index
	 */
	void delete(int index);

	/**
	 * Sets the MQTT 5 message expiry interval the message at an index will be sent with;
	 * nothing on MQTT 3.1.1.
	 * @param index the index
	 * @param seconds the interval
	 */
	void expiresIn(int index, long seconds);

}
