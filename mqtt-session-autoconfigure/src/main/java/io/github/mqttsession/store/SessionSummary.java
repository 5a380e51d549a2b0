package io.github.mqttsession.store;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What a store lists about one stored session, without its messages.
 *
 * @param clientId the client id the session belongs to
 * @param subscriptionCount how many subscriptions it holds
 * @param pendingMessageCount how many pending messages it holds
 * @param packetId the last packet id used, 0..65,535
 * @param lastUpdated when the session or any of its parts last changed
 * @param owner the instance holding the session's lease, absent when none does
 * @param leaseExpiresAt when that lease runs out unless renewed, absent when there is
 * none
 */
public record SessionSummary(String clientId, int subscriptionCount, int pendingMessageCount, int packetId,
		Instant lastUpdated, @Nullable String owner, @Nullable Instant leaseExpiresAt) {

	/**
	 * A summary of a session nobody holds a lease on.
	 * @param clientId the client id
	 * @param subscriptionCount how many subscriptions it holds
	 * @param pendingMessageCount how many pending messages it holds
	 * @param packetId the last packet id used
	 * @param lastUpdated when it last changed
	 */
	public SessionSummary(String clientId, int subscriptionCount, int pendingMessageCount, int packetId,
			Instant lastUpdated) {
		this(clientId, subscriptionCount, pendingMessageCount, packetId, lastUpdated, null, null);
	}

	/**
	 * Whether an instance holds a lease on the session at a given time.
	 * @param now the time
	 * @return {@code true} while a lease is held and not expired
	 */
	public boolean isLeased(Instant now) {
		return this.owner != null && this.leaseExpiresAt != null && this.leaseExpiresAt.isAfter(now);
	}

}
