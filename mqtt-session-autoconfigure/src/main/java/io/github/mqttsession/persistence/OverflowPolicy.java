package io.github.mqttsession.persistence;

/**
 * What happens to a message published while a session already holds as many pending
 * messages as allowed.
 */
public enum OverflowPolicy {

	/** The publish fails with a clear exception and nothing is stored. */
	REJECT,

	/**
	 * The oldest message never sent (buffered while offline) is discarded, with a
	 * warning, to make room.
	 */
	DROP_OLDEST

}
