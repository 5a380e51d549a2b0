package io.github.mqttsession.paho;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Holds the lease on one client id's session for this instance while its client runs: takes it (refusing, or
 * waiting, when another instance holds a live one), renews it at a third of its duration, and gives it up.
 */
final class SessionLeaseHolder {

	private static final Log logger = LogFactory.getLog(SessionLeaseHolder.class);

	private final SessionStore store;

	private final String clientId;

	private final SessionLease settings;

	private volatile ScheduledExecutorService renewal;

	/**
	 * Creates a holder.
	 * @param store the store
	 * @param clientId the client id
	 * @param settings the lease settings, or {@code null} to hold no lease
	 */
	SessionLeaseHolder(SessionStore store, String clientId, SessionLease settings) {
		this.store = store;
		this.clientId = clientId;
		this.settings = settings;
	}

	/**
	 * Takes the session's lease for this instance, waiting for another owner's live lease to run out when so
	 * configured, and keeps renewing it.
	 */
	void take() {
		if (this.settings == null) {
			return;
		}
		Optional<String> other;
		try {
			other = acquireLease();
		}
		catch (UnsupportedOperationException ex) {
			logger.info("The session store " + this.store.getClass().getName()
					+ " does not lease sessions; nothing stops a second instance with client id '" + this.clientId
					+ "' from sharing the session");
			return;
		}
		long pause = Math.max(100, Math.min(1000, this.settings.duration().toMillis() / 10));
		while (other.isPresent()) {
			if (!this.settings.waitForTakeover()) {
				throw new IllegalStateException("Client id '" + this.clientId + "' is in use by instance '" + other.get()
						+ "', which holds the lease on its session in the store; give each instance its own client id"
						+ " (mqtt.client.client-id), or set mqtt.session.lease.wait-for-takeover=true to take the session"
						+ " over once that instance has stopped and its lease has run out");
			}
			logger.info("Client id '" + this.clientId + "' is leased by instance '" + other.get()
					+ "'; waiting to take the session over");
			LockSupport.parkNanos(pause * 1_000_000);
			other = acquireLease();
		}
		ScheduledExecutorService renewal = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "mqtt-session-lease-" + this.clientId);
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.max(1, this.settings.duration().toMillis() / 3);
		renewal.scheduleAtFixedRate(this::renew, period, period, TimeUnit.MILLISECONDS);
		this.renewal = renewal;
	}

	private Optional<String> acquireLease() {
		return this.store.acquireLease(this.clientId, this.settings.owner(), Instant.now().plus(this.settings.duration()));
	}

	private void renew() {
		try {
			acquireLease().ifPresent((other) -> logger.error("Instance '" + other + "' took over the session of client '"
					+ this.clientId + "' after this instance's lease ran out; stop one of them"));
		}
		catch (RuntimeException ex) {
			logger.warn("Could not renew the lease on the session of client '" + this.clientId + "': " + ex.getMessage());
		}
	}

	void release() {
		ScheduledExecutorService renewal = this.renewal;
		this.renewal = null;
		if (renewal == null) {
			return;
		}
		renewal.shutdownNow();
		try {
			this.store.releaseLease(this.clientId, this.settings.owner());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not give up the lease on the session of client '" + this.clientId
					+ "'; it runs out by itself: " + ex.getMessage());
		}
	}

}
