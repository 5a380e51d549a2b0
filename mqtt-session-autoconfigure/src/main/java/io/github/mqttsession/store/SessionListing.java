package io.github.mqttsession.store;

import java.time.Instant;
import java.util.List;

/**
 * A {@link SessionStoreFeature} of a store that can list every session it holds, as the
 * {@code mqttsessions} actuator endpoint does. Without it the endpoint still shows and
 * deletes one session by its client id, but answers a listing with why it cannot list.
 * <p>
 * Ask a store for it with {@code store.feature(SessionListing.class)}, which sees through
 * decorators (see {@link SessionStoreFeature}).
 */
public interface SessionListing extends SessionStoreFeature {

	/**
	 * Lists every stored session without its messages.
	 * @return a summary per stored session
	 */
	List<SessionSummary> listSessions();

	/**
	 * The current time on the clock the store measures leases on, against which the end
	 * of a listed lease is judged: a store that reckons leases on a clock of its own (the
	 * JPA store, on the database's) says its time, so that an instance whose clock is off
	 * judges leases as every other does. The JVM's clock by default.
	 * @return the current time
	 */
	default Instant currentTime() {
		return Instant.now();
	}

}
