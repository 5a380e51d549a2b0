package io.github.mqttsession.store;

/**
 * An optional ability of a {@link SessionStore} beyond loading, saving and deleting
 * sessions: {@link SessionListing}, {@link IdleSessionCleanup} and
 * {@link SessionLeasing}. A store opts in by implementing the feature's interface besides
 * {@link SessionStore}; a store that does not is still a complete store, and the parts of
 * the starter that need the feature say so (at start-up when the feature was asked for by
 * a property, in the log or in the answer of the actuator endpoint otherwise).
 * <p>
 * Code that needs a feature asks the store with {@link SessionStore#feature(Class)},
 * never with {@code instanceof} on a store it did not create: the store may be wrapped by
 * a decorator (such as the one timing every operation), and a wrapper exposes exactly the
 * features of the store it wraps by answering {@code feature} from it, wrapping each
 * feature in turn where it adds behaviour. A decorator that does not override
 * {@code feature} hides the features of the store it wraps.
 */
public interface SessionStoreFeature {

}
