package io.github.mqttsession.integration;

import java.time.Duration;

/**
 * Tells, on MQTT 3.1.1, when another client may be taking the session over. A 3.1.1
 * broker closes the connection without saying why, so what shows is the pattern a
 * takeover makes: two clients with one client id, both reconnecting, throw each other
 * off, and each connection ends within a few seconds of its connect. A connection closed
 * within {@link #SHORT} of its connect {@link #IN_A_ROW} times in a row is reported as
 * such; a longer one starts the count again. A network that drops connections right after
 * they are made looks the same, so the client is not stopped for it.
 */
final class ShortConnections {

	/** How soon after its connect a connection ends to count as short. */
	static final Duration SHORT = Duration.ofSeconds(5);

	/** How many short connections in a row make a takeover. */
	static final int IN_A_ROW = 3;

	private long connectedAt;

	private boolean connected;

	private int inARow;

	/** Records a successful connect. */
	synchronized void connected() {
		this.connectedAt = System.nanoTime();
		this.connected = true;
	}

	/**
	 * Records the loss of the connection.
	 * @return {@code true} when it is the last of {@link #IN_A_ROW} short connections
	 */
	synchronized boolean lost() {
		if (!this.connected) {
			return false;
		}
		this.connected = false;
		boolean isShort = System.nanoTime() - this.connectedAt < SHORT.toNanos();
		this.inARow = isShort ? this.inARow + 1 : 0;
		return this.inARow >= IN_A_ROW;
	}

	/** Forgets the connections so far: the client starts again. */
	synchronized void reset() {
		this.connected = false;
		this.inARow = 0;
	}

	/**
	 * What was seen, as a person reads it.
	 * @return the description
	 */
	static String describe() {
		return "the broker closed its connection within " + SHORT.toSeconds() + " s of each of its last " + IN_A_ROW
				+ " connects, which is what an MQTT 3.1.1 broker does when another client connects with the same"
				+ " client id (a broker that closes the connection for a packet it refuses, such as a publish to a"
				+ " topic the client may not use, looks the same)";
	}

}
