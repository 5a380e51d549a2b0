package io.github.mqttsession.store;

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

}
