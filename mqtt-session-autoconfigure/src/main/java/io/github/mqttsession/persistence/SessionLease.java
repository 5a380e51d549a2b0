package io.github.mqttsession.persistence;

import java.time.Duration;

/**
 * How a client claims its session among instances that share one store: it holds a lease, renewed while it runs;
 * another instance that finds a live lease refuses to connect, or waits for the lease to expire.
 *
 * @param owner the name this instance holds leases under
 * @param duration how long a lease lasts unless renewed; renewed at a third of it
 * @param waitForTakeover whether to wait for a live lease of another owner to expire instead of refusing
 */
public record SessionLease(String owner, Duration duration, boolean waitForTakeover) {

	/**
	 * Validates the settings.
	 * @param owner the owner name
	 * @param duration the lease duration
	 * @param waitForTakeover whether to wait instead of refusing
	 */
	public SessionLease {
		if (owner == null || owner.isBlank()) {
			throw new IllegalArgumentException("A lease owner must not be blank");
		}
		if (duration == null || duration.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("A lease lasts at least 1 second, but was " + duration);
		}
	}

}
