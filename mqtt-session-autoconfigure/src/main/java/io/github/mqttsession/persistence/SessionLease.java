package io.github.mqttsession.persistence;

import java.time.Duration;

import io.github.mqttsession.store.SessionLeasing;

/**
 * How a client claims its session among instances that share one store: it holds a lease,
 * renewed while it runs; another instance that finds a live lease refuses to connect, or
 * waits for the lease to expire.
 *
 * @param owner the name this instance holds leases under, at most
 * {@link SessionLeasing#MAX_OWNER_LENGTH} characters; {@link LeaseOwner#ofThisProcess()}
 * by default
 * @param duration how long a lease lasts unless renewed; renewed at a third of it
 * @param waitForTakeover whether to wait for a live lease of another owner to expire
 * instead of refusing
 */
public record SessionLease(String owner, Duration duration, boolean waitForTakeover) {

	/**
	 * Validates the settings.
	 * @throws IllegalArgumentException when the owner is blank or too long, or the lease
	 * shorter than a second
	 * @param owner the owner name
	 * @param duration the lease duration
	 * @param waitForTakeover whether to wait instead of refusing
	 */
	public SessionLease {
		SessionLeasing.requireValidOwner(owner);
		if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("A lease lasts at least 1 second, but was " + duration);
		}
	}

}
