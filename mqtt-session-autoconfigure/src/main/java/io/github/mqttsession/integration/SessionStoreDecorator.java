package io.github.mqttsession.integration;

import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreFeature;

/**
 * Wraps the {@link SessionStore} the MQTT client's persistence writes through, for
 * cross-cutting concerns such as timing every store operation. Beans of this type are
 * applied in order.
 * <p>
 * The client finds the store's optional {@linkplain SessionStoreFeature features}
 * (leases) through {@link SessionStore#feature(Class)} on the wrapper: a wrapper passes
 * them on by overriding that method to answer from the store it wraps, else the client
 * runs as on a store without them.
 */
@FunctionalInterface
public interface SessionStoreDecorator {

	/**
	 * Wraps a store.
	 * @param store the store
	 * @return the store to use instead
	 */
	SessionStore decorate(SessionStore store);

}
