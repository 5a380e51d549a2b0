package io.github.mqttsession.integration;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides whether an inbound adapter subscribes for a connect at once or when it starts.
 * <p>
 * The client manager reports every completed connect to the adapter, on Paho's callback
 * thread, and that can be before the adapter has started or while it is starting and has
 * not yet taken the client from the manager. Spring Integration's adapter counts itself
 * started from the moment its start begins, and would then subscribe on a client it does
 * not have yet: a NullPointerException on 3.1.1, which makes Paho drop the connection,
 * and a closed client of an earlier start on 5. So a connect reported before the adapter
 * has fully started is only remembered here, and the end of the start subscribes for it;
 * a connect reported after subscribes at once. Each connect is subscribed for once.
 */
final class ConnectBeforeStart {

	private final Lock lock = new ReentrantLock();

	private boolean started;

	private boolean connectedBeforeStart;

	/**
	 * Whether a connect may subscribe now, which it may once the adapter has started;
	 * otherwise the connect is remembered for the start.
	 * @return {@code true} when the caller subscribes now
	 */
	boolean subscribeNow() {
		this.lock.lock();
		try {
			if (!this.started) {
				this.connectedBeforeStart = true;
			}
			return this.started;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Records that the adapter has started with its client.
	 * @return whether a connect was reported before, which the adapter now subscribes for
	 */
	boolean started() {
		this.lock.lock();
		try {
			this.started = true;
			boolean connected = this.connectedBeforeStart;
			this.connectedBeforeStart = false;
			return connected;
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Records that the adapter stops: a connect reported from now on waits for the next
	 * start.
	 */
	void stopped() {
		this.lock.lock();
		try {
			this.started = false;
			this.connectedBeforeStart = false;
		}
		finally {
			this.lock.unlock();
		}
	}

}
