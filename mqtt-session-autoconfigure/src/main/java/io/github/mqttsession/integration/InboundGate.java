package io.github.mqttsession.integration;

import java.util.concurrent.CountDownLatch;

/**
 * Holds back messages the broker delivers the moment a client connects, before the
 * inbound adapter has registered, so that none is acknowledged unseen. A message that
 * arrives while the gate is closed waits until the adapter opens it; if the client stops
 * first, the message is refused with an exception, which makes Paho drop the connection
 * without acknowledging it, and the broker delivers it again on the next connect.
 */
public final class InboundGate {

	private final CountDownLatch opened = new CountDownLatch(1);

	private volatile boolean abandoned;

	/**
	 * A gate that is open from the start, for a client without an inbound adapter.
	 * @return an open gate
	 */
	public static InboundGate alwaysOpen() {
		InboundGate gate = new InboundGate();
		gate.open();
		return gate;
	}

	/** Lets messages through, now and from now on. */
	public void open() {
		this.opened.countDown();
	}

	/**
	 * Refuses the messages still waiting, because the client is stopping before the
	 * adapter opened the gate.
	 */
	public void abandonIfClosed() {
		if (this.opened.getCount() > 0) {
			this.abandoned = true;
			this.opened.countDown();
		}
	}

	/**
	 * Whether the gate refused its waiting messages because the client stopped; a
	 * restarted client needs a new gate.
	 * @return {@code true} once abandoned
	 */
	public boolean isAbandoned() {
		return this.abandoned;
	}

	/**
	 * Waits until the gate opens.
	 * @param topic the topic of the waiting message, for the error
	 * @throws IllegalStateException when the client stopped first; the message stays
	 * unacknowledged
	 */
	public void awaitOpen(String topic) {
		try {
			this.opened.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while a message to '" + topic
					+ "' waited for the inbound adapter; it stays unacknowledged and the broker delivers it again", ex);
		}
		if (this.abandoned) {
			throw new IllegalStateException("The client stopped before the inbound adapter started; the message to '"
					+ topic + "' stays unacknowledged and the broker delivers it again");
		}
	}

}
