package io.github.mqttsession.integration;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Topics that were configured at the previous start and no longer are: an inbound adapter
 * unsubscribes them once its client is connected, on start or on the next connect,
 * whichever comes first.
 */
final class StaleTopics {

	private static final Log logger = LogFactory.getLog(StaleTopics.class);

	private volatile List<String> topics;

	StaleTopics(List<String> topics) {
		this.topics = List.copyOf(topics);
	}

	/**
	 * Unsubscribes the stale topics when the client is connected; a failure is retried on
	 * the next connect.
	 * @param connected whether the client is connected now
	 * @param unsubscribe unsubscribes the given topics and waits for the broker's answer
	 */
	void unsubscribeIfConnected(boolean connected, Unsubscribe unsubscribe) {
		List<String> stale = this.topics;
		if (stale.isEmpty() || !connected) {
			return;
		}
		try {
			unsubscribe.topics(stale.toArray(String[]::new));
			logger.info("Unsubscribed from " + stale + ", configured before and no longer");
			this.topics = List.of();
		}
		catch (Exception ex) {
			logger.warn("Could not unsubscribe from " + stale + "; trying again on the next connect", ex);
		}
	}

	/** Unsubscribes topics at the broker. */
	@FunctionalInterface
	interface Unsubscribe {

		void topics(String[] topics) throws Exception;

	}

}
