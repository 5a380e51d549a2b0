package io.github.mqttsession.sample;

import java.time.Instant;
import java.util.Optional;
import java.util.stream.Collectors;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The session the previous run of the application left in the store, read and logged at
 * start-up, before the MQTT client resends its pending messages and subscribes.
 *
 * @param clientId the client id the session is kept under
 * @param session the stored session, empty on the first run
 * @param lastUpdated when the stored session last changed, or {@code null} when unknown
 */
public record RestoredSession(String clientId, Optional<MqttSession> session, Instant lastUpdated) {

	private static final Log logger = LogFactory.getLog(RestoredSession.class);

	/**
	 * Reads the stored session of a client and logs what it holds.
	 * @param store the session store
	 * @param clientId the client id
	 * @return what was found
	 */
	public static RestoredSession load(SessionStore store, String clientId) {
		RestoredSession restored = new RestoredSession(clientId, store.load(clientId), lastUpdated(store, clientId));
		logger.info(restored.describe());
		return restored;
	}

	private static Instant lastUpdated(SessionStore store, String clientId) {
		// A store of the application's own may not list sessions
		return store.feature(SessionListing.class)
			.flatMap((listing) -> listing.listSessions()
				.stream()
				.filter((summary) -> summary.clientId().equals(clientId))
				.map(SessionSummary::lastUpdated)
				.findFirst())
			.orElse(null);
	}

	/**
	 * A line saying what the session holds.
	 * @return the description
	 */
	public String describe() {
		if (this.session.isEmpty()) {
			return "No stored session for client " + this.clientId + ": starting a new one";
		}
		MqttSession stored = this.session.get();
		String filters = stored.subscriptions()
			.stream()
			.map(Subscription::topicFilter)
			.collect(Collectors.joining(", ", " (", ")"));
		return "Restored session of client " + this.clientId + ": "
				+ count(stored.subscriptions().size(), "subscription")
				+ (stored.subscriptions().isEmpty() ? "" : filters) + ", "
				+ count(stored.pendingMessages().size(), "pending message") + ", packet id " + stored.packetId()
				+ ((this.lastUpdated != null) ? ", last updated " + this.lastUpdated : "");
	}

	private static String count(int count, String noun) {
		return count + " " + noun + ((count != 1) ? "s" : "");
	}

}
