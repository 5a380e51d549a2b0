package io.github.mqttsession.store;

import java.time.Instant;

/**
 * What a store lists about one stored session, without its messages.
 *
 * @param clientId the client id the session belongs to
 * @param subscriptionCount how many subscriptions it holds
 * @param pendingMessageCount how many pending messages it holds
 * @param packetId the last packet id used, 0..65,535
 * @param lastUpdated when the session or any of its parts last changed
 */
public record SessionSummary(String clientId, int subscriptionCount, int pendingMessageCount, int packetId,
		Instant lastUpdated) {

}
