package io.github.mqttsession.persistence;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * Holds the lease on one client id's session for this instance while its client runs:
 * takes it (refusing, or waiting, when another instance holds a live one), renews it at a
 * third of its duration on the given {@link TaskScheduler}, and gives it up. A lease
 * whose owner is a process of this host that no longer runs
 * ({@link LeaseOwner#isGoneFromThisHost}) is taken over at once: an instance restarted
 * after a crash gets its session back without waiting for the lease to run out. It holds
 * none on a store without {@link SessionLeasing}.
 * <p>
 * A renewal that finds another owner held the lease since, or that has failed for as long
 * as the lease lasts, stops the renewals and reports the lease lost: another instance may
 * be writing the session by then.
 */
final class SessionLeaseHolder {

	private static final Log logger = LogFactory.getLog(SessionLeaseHolder.class);

	/** The store's leases; absent when it has none or no lease is to be held. */
	private final @Nullable SessionLeasing leasing;

	private final String clientId;

	private final @Nullable SessionLease settings;

	private volatile @Nullable TaskScheduler scheduler;

	/** Held while a renewal runs, so that a release never overtakes one. */
	private final Object renewalLock = new Object();

	private volatile @Nullable ScheduledFuture<?> renewal;

	/** Whether the lease held was lost; guarded by the renewal lock. */
	private boolean lost;

	/** When the lease was last taken or renewed, on {@link System#nanoTime()}. */
	private volatile long renewedAt;

	private final Consumer<SessionLeaseLostException> onLost;

	/**
	 * Creates a holder. When leases are asked for and the store cannot lease sessions,
	 * says once that the client runs without a lease.
	 * @param store the store
	 * @param clientId the client id
	 * @param settings the lease settings; absent to hold no lease
	 * @param onLost told, on the renewing thread, when the lease held was lost
	 */
	SessionLeaseHolder(SessionStore store, String clientId, @Nullable SessionLease settings,
			Consumer<SessionLeaseLostException> onLost) {
		this.clientId = clientId;
		this.onLost = onLost;
		SessionLeasing leasing = (settings != null) ? store.feature(SessionLeasing.class).orElse(null) : null;
		if (settings != null && leasing == null) {
			// The store as it names itself: a decorator's class name would hide the store
			// it wraps
			logger.info("The session store " + store + " does not lease sessions (it does not" + " implement "
					+ SessionLeasing.class.getName() + "); nothing stops a second instance with client" + " id '"
					+ clientId + "' from sharing the session. Set mqtt.session.lease.enabled=false to run"
					+ " without a lease knowingly");
		}
		this.leasing = leasing;
		this.settings = (leasing != null) ? settings : null;
	}

	/**
	 * Sets the scheduler that renews the lease; a holder with lease settings needs one
	 * before {@link #take()}. Renewal runs on a scheduler of its own, apart from the
	 * application's other periodic work, where a slow task would let the lease run out.
	 * @param scheduler the scheduler
	 */
	void setTaskScheduler(TaskScheduler scheduler) {
		this.scheduler = scheduler;
	}

	/**
	 * Takes the session's lease for this instance, waiting for another owner's live lease
	 * to run out when so configured, and keeps renewing it.
	 */
	void take() {
		if (this.settings == null) {
			return;
		}
		TaskScheduler scheduler = this.scheduler;
		if (scheduler == null) {
			throw new IllegalStateException("Client id '" + this.clientId
					+ "' holds a lease on its session but has no TaskScheduler to renew it;"
					+ " set one on its persistence");
		}
		Optional<String> other = takeOverFromGoneProcess(acquireLease());
		long pause = Math.max(100, Math.min(1000, this.settings.duration().toMillis() / 10));
		while (other.isPresent()) {
			if (!this.settings.waitForTakeover()) {
				throw new IllegalStateException("Client id '" + this.clientId + "' is in use by instance '"
						+ other.get()
						+ "', which holds the lease on its session in the store; give each instance its own client id"
						+ " (mqtt.client.client-id), or set mqtt.session.lease.wait-for-takeover=true to take the session"
						+ " over once that instance has stopped and its lease has run out");
			}
			logger.info("Client id '" + this.clientId + "' is leased by instance '" + other.get()
					+ "'; waiting to take the session over");
			LockSupport.parkNanos(pause * 1_000_000);
			other = takeOverFromGoneProcess(acquireLease());
		}
		Duration period = Duration.ofMillis(Math.max(1, this.settings.duration().toMillis() / 3));
		synchronized (this.renewalLock) {
			this.lost = false;
		}
		this.renewedAt = System.nanoTime();
		this.renewal = scheduler.scheduleAtFixedRate(this::renew, Instant.now().plus(period), period);
	}

	/**
	 * Takes the lease over from its owner when that is a process of this host that no
	 * longer runs.
	 * @param other the owner of the lease, empty when this instance holds it
	 * @return the owner of the lease now, empty when this instance holds it
	 */
	private Optional<String> takeOverFromGoneProcess(Optional<String> other) {
		if (other.isEmpty() || !LeaseOwner.isGoneFromThisHost(other.get())) {
			return other;
		}
		logger.info("Client id '" + this.clientId + "' is leased by process '" + other.get()
				+ "' of this host, which no longer runs; taking its session over");
		// Given up in the gone process's name: only a lease it still holds is given up,
		// so of several instances taking over at once, one wins and the others find it
		// holding the lease
		this.leasing.releaseLease(this.clientId, other.get());
		return acquireLease();
	}

	private Optional<String> acquireLease() {
		return this.leasing.acquireLease(this.clientId, this.settings.owner(), this.settings.duration());
	}

	/**
	 * Renews the lease now, if one is held, so that a loss is found before the client
	 * connects: connected, a client that lost its session would throw the new owner off
	 * the broker. A store that cannot be reached is no loss yet.
	 */
	void confirm() {
		renew();
	}

	/**
	 * Renews the lease unless it was given up or lost meanwhile: a renewal after the
	 * release would hold it once more.
	 */
	private void renew() {
		SessionLeaseLostException loss;
		synchronized (this.renewalLock) {
			if (this.renewal == null || this.lost) {
				return;
			}
			loss = renewHeldLease();
			if (loss != null) {
				this.lost = true;
				ScheduledFuture<?> renewal = this.renewal;
				if (renewal != null) {
					renewal.cancel(false);
				}
			}
		}
		if (loss != null) {
			this.onLost.accept(loss);
		}
	}

	private @Nullable SessionLeaseLostException renewHeldLease() {
		long started = System.nanoTime();
		try {
			this.leasing.renewLease(this.clientId, this.settings.owner(), this.settings.duration());
			this.renewedAt = started;
			return null;
		}
		catch (SessionLeaseLostException ex) {
			return ex;
		}
		catch (RuntimeException ex) {
			Duration unrenewed = Duration.ofNanos(started - this.renewedAt);
			if (unrenewed.compareTo(this.settings.duration()) < 0) {
				logger.warn("Could not renew the lease on the session of client '" + this.clientId + "': "
						+ ex.getMessage());
				return null;
			}
			return new SessionLeaseLostException(this.clientId, "Client '" + this.clientId
					+ "' could not renew the lease on its session for " + unrenewed.toSeconds()
					+ " s, longer than the lease lasts (mqtt.session.lease.duration=" + this.settings.duration()
					+ "): another instance may have taken the session over, so this instance no longer writes the"
					+ " session or publishes for it; last failure: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Stops renewing the lease and gives it up, waiting for a renewal under way to finish
	 * first.
	 */
	void release() {
		ScheduledFuture<?> renewal;
		synchronized (this.renewalLock) {
			renewal = this.renewal;
			this.renewal = null;
		}
		if (renewal == null) {
			return;
		}
		renewal.cancel(false);
		try {
			this.leasing.releaseLease(this.clientId, this.settings.owner());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not give up the lease on the session of client '" + this.clientId
					+ "'; it runs out by itself: " + ex.getMessage());
		}
	}

}
