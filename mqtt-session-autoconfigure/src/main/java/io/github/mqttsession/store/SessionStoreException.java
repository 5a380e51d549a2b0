package io.github.mqttsession.store;

/**
 * A session store could not do what was asked: the database is down, a constraint was
 * broken, or a whole-session save conflicted with another writer. The message names the
 * client id and the cause.
 */
public class SessionStoreException extends RuntimeException {

	/**
	 * Creates an exception with a message.
	 * @param message what went wrong, naming the client id
	 */
	public SessionStoreException(String message) {
		super(message);
	}

	/**
	 * Creates an exception with a message and a cause.
	 * @param message what went wrong, naming the client id
	 * @param cause the underlying failure
	 */
	public SessionStoreException(String message, Throwable cause) {
		super(message, cause);
	}

}
