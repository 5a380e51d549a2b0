package io.github.mqttsession.integration;

import io.github.mqttsession.store.SessionStore;

/**
 * Wraps the {@link SessionStore} the MQTT client's persistence writes through, for cross-cutting concerns such as
 * timing every store operation. Beans of this type are applied in order.
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
