package io.github.mqttsession.store;

import java.time.Instant;

/**
 * A {@link SessionStoreFeature} of a store that can delete the sessions nobody has used
 * for a while, which session expiry ({@code mqtt.session.expiry}) runs periodically.
 * Setting that property on a store without it fails at start-up.
 * <p>
 * Ask a store for it with {@code store.feature(IdleSessionCleanup.class)}, which sees
 * through decorators (see {@link SessionStoreFeature}).
 */
public interface IdleSessionCleanup extends SessionStoreFeature {

	/**
	 * Deletes every session whose last update is before a cut-off and on which no lease
	 * is live now. Several instances may run it at once.
	 * @param cutoff sessions last updated before this instant are deleted
	 * @return how many sessions were deleted
	 */
	int deleteSessionsIdleSince(Instant cutoff);

}
