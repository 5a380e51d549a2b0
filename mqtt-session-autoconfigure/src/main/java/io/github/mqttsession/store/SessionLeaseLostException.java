package io.github.mqttsession.store;

import org.jspecify.annotations.Nullable;

/**
 * An instance no longer holds the lease on a session it held: its lease ran out and
 * another instance took the session over (even if that one has given it up since), or the
 * session was deleted. A store with {@link SessionLeasing} fences the writes of a session
 * on the lease its owner took, and fails them with this exception from then on, so that
 * an instance that was paused past its lease cannot change what the new owner writes.
 */
public class SessionLeaseLostException extends SessionStoreException {

	private final String clientId;

	private final @Nullable String currentOwner;

	private final boolean takenOver;

	/**
	 * Creates the exception.
	 * @param clientId the client id of the session
	 * @param owner the instance that lost the lease
	 * @param currentOwner the instance that holds the lease now; absent when none does or
	 * the session was deleted
	 */
	public SessionLeaseLostException(String clientId, String owner, @Nullable String currentOwner) {
		super("Instance '" + owner + "' no longer holds the lease on the session of client '" + clientId + "': "
				+ ((currentOwner != null) ? "instance '" + currentOwner + "' took the session over"
						: "another instance took the session over or it was deleted")
				+ "; this instance no longer writes the session or publishes for it");
		this.clientId = clientId;
		this.currentOwner = currentOwner;
		this.takenOver = true;
	}

	/**
	 * Creates the exception for a lease that may be lost: it could not be renewed before
	 * it ran out, so another instance may have taken the session over, or not.
	 * @param clientId the client id of the session
	 * @param message what happened, naming the client id
	 * @param cause why, if known
	 */
	public SessionLeaseLostException(String clientId, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.clientId = clientId;
		this.currentOwner = null;
		this.takenOver = (cause instanceof SessionLeaseLostException lost) && lost.isTakenOver();
	}

	/**
	 * The client id of the session whose lease was lost.
	 * @return the client id
	 */
	public String getClientId() {
		return this.clientId;
	}

	/**
	 * Whether another instance is known to have taken the session over (or deleted it),
	 * rather than the lease having run out while the store could not be reached, which a
	 * renewal may still find untouched.
	 * @return {@code true} when it was taken over
	 */
	public boolean isTakenOver() {
		return this.takenOver;
	}

	/**
	 * The instance that holds the lease now, as far as the store knew.
	 * @return the owner; absent when none does, the session was deleted, or it is not
	 * known
	 */
	public @Nullable String getCurrentOwner() {
		return this.currentOwner;
	}

}
