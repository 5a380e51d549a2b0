package io.github.mqttsession.store;

import java.time.Duration;
import java.util.Optional;

/**
 * A {@link SessionStoreFeature} of a store that can lease a session to one instance at a
 * time, so that a running client keeps a second instance with the same client id off its
 * session ({@code mqtt.session.lease.*}, on by default). On a store without it the client
 * runs without a lease, and says so once in the log.
 * <p>
 * A lease is given for a duration from now rather than until an instant, so that a store
 * may measure it on a clock of its own (a database's) that every instance shares. Ask a
 * store for it with {@code store.feature(SessionLeasing.class)}, which sees through
 * decorators (see {@link SessionStoreFeature}).
 * <p>
 * A store may also fence the writes of a leased session: from {@link #acquireLease} until
 * {@link #releaseLease}, each of its writes of that client id's session checks, in the
 * transaction that writes, that the lease taken is still the one in force, and fails with
 * a {@link SessionLeaseLostException} once another owner took the session over. The JPA
 * store does so on a lease generation counted up at every change of owner.
 */
public interface SessionLeasing extends SessionStoreFeature {

	/**
	 * The longest owner name, in characters, that every store with leases accepts (the
	 * JPA store's {@code OWNER} column holds this many).
	 */
	int MAX_OWNER_LENGTH = 255;

	/**
	 * Takes or renews the lease on a client id's session for an owner, creating the
	 * session when there is none: succeeds when no other owner holds an unexpired lease.
	 * Atomic, so that of several instances racing for one client id exactly one wins.
	 * @param clientId the client id
	 * @param owner the instance taking the lease
	 * @param duration how long from now the lease lasts unless renewed; positive
	 * @return the other owner when it holds a live lease, empty when this owner now holds
	 * the lease
	 */
	Optional<String> acquireLease(String clientId, String owner, Duration duration);

	/**
	 * Renews a lease this owner took with {@link #acquireLease} and has held since.
	 * Unlike {@code acquireLease}, it fails when another owner held the lease in between,
	 * even if that one has given it up again: the session may have changed under that
	 * owner. The default takes the lease again, for stores that do not tell.
	 * @param clientId the client id
	 * @param owner the owner renewing it
	 * @param duration how long from now the lease lasts unless renewed; positive
	 * @throws SessionLeaseLostException when this owner no longer holds the lease
	 */
	default void renewLease(String clientId, String owner, Duration duration) {
		Optional<String> other = acquireLease(clientId, owner, duration);
		if (other.isPresent()) {
			throw new SessionLeaseLostException(clientId, owner, other.get());
		}
	}

	/**
	 * Gives up a lease this owner holds; a lease held by another owner, or none, is left
	 * alone.
	 * @param clientId the client id
	 * @param owner the owner giving it up
	 */
	void releaseLease(String clientId, String owner);

	/**
	 * Checks an owner name, for stores implementing {@link #acquireLease}.
	 * @param owner the owner
	 * @return the owner
	 * @throws IllegalArgumentException when it is blank or longer than
	 * {@link #MAX_OWNER_LENGTH} characters
	 */
	static String requireValidOwner(String owner) {
		if (owner == null || owner.isBlank()) {
			throw new IllegalArgumentException("A lease owner must not be blank");
		}
		int length = owner.codePointCount(0, owner.length());
		if (length > MAX_OWNER_LENGTH) {
			throw new IllegalArgumentException("A lease owner is at most " + MAX_OWNER_LENGTH
					+ " characters long, but '" + owner.substring(0, 40) + "…' has " + length);
		}
		return owner;
	}

	/**
	 * Checks the duration of a lease, for stores implementing {@link #acquireLease}.
	 * @param duration the duration
	 * @return the duration
	 * @throws IllegalArgumentException when it is not positive
	 */
	static Duration requireValidDuration(Duration duration) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException("A lease lasts a positive duration, but was " + duration);
		}
		return duration;
	}

}
