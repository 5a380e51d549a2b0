package io.github.mqttsession.persistence;

/**
 * The cap on the pending messages of one session, and what happens when a publish would
 * exceed it.
 *
 * @param maxPendingMessages the most pending messages a session holds
 * @param overflow what happens beyond
 */
public record PendingMessageLimit(int maxPendingMessages, OverflowPolicy overflow) {

	/** The default: 10,000 pending messages, then publishes are rejected. */
	public static final PendingMessageLimit DEFAULT = new PendingMessageLimit(10_000, OverflowPolicy.REJECT);

	/**
	 * Validates the limit.
	 * @param maxPendingMessages the most pending messages, 1..65,535 (Paho's packet ids
	 * bound it)
	 * @param overflow the policy
	 */
	public PendingMessageLimit {
		if (maxPendingMessages < 1 || maxPendingMessages > 65_535) {
			throw new IllegalArgumentException("Max pending messages " + maxPendingMessages
					+ " is not valid; it must be 1..65535 (each pending message holds a packet id)");
		}
		if (overflow == null) {
			throw new IllegalArgumentException("Overflow policy must be REJECT or DROP_OLDEST");
		}
	}

}
