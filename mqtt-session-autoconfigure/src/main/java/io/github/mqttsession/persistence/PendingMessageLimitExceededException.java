package io.github.mqttsession.persistence;

/**
 * A publish was refused because the session holds as many pending messages as allowed;
 * nothing was stored.
 */
public class PendingMessageLimitExceededException extends IllegalStateException {

	/**
	 * Creates an exception.
	 * @param message what was refused and why
	 */
	public PendingMessageLimitExceededException(String message) {
		super(message);
	}

}
