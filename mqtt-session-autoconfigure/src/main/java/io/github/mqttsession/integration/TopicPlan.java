package io.github.mqttsession.integration;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;

/**
 * What the inbound adapter subscribes to at start-up: the configured topics, plus (with a
 * kept session) the subscriptions stored for the client id, less the topics that were
 * configured at the previous start and no longer are, which are unsubscribed.
 * <p>
 * A stored subscription that came from the configuration is marked
 * {@linkplain Subscription#configured() configured}, which tells it apart from one added
 * at runtime. The plan is {@linkplain #read read} from the store before the client
 * connects, so that the adapter's filters are in place before the broker delivers what it
 * held for the session; the store is brought in line with the configuration only by
 * {@link #record}, once this instance owns the session, so that an instance waiting for
 * another's lease changes nothing that one holds.
 *
 * @param topics the topics to subscribe, configured ones first
 * @param staleTopics the topics to unsubscribe
 */
public record TopicPlan(List<Subscription> topics, List<String> staleTopics) {

	/**
	 * Works out the topics from the configuration and the stored session, writing
	 * nothing.
	 * @param store the session store
	 * @param clientId the client id
	 * @param configured the configured topics
	 * @param cleanSession whether the session starts clean (then only the configured
	 * topics count)
	 * @return the plan
	 */
	public static TopicPlan read(SessionStore store, String clientId, List<Subscription> configured,
			boolean cleanSession) {
		List<Subscription> configuredTopics = asConfigured(configured);
		if (cleanSession) {
			return new TopicPlan(configuredTopics, List.of());
		}
		List<Subscription> stored = stored(store, clientId);
		List<String> stale = stale(stored, configuredTopics);
		Map<String, Subscription> topics = new LinkedHashMap<>();
		configuredTopics.forEach((subscription) -> topics.put(subscription.topicFilter(), subscription));
		for (Subscription subscription : stored) {
			if (!stale.contains(subscription.topicFilter())) {
				topics.putIfAbsent(subscription.topicFilter(), subscription);
			}
		}
		return new TopicPlan(List.copyOf(topics.values()), stale);
	}

	/**
	 * Brings the stored session in line with the configuration: removes the stale topics
	 * and stores the configured ones, marked configured. Works from the session as it is
	 * stored now, which another instance may have changed since {@link #read} while this
	 * one waited for its lease; writes only what differs. Call it only while this
	 * instance holds the session (its lease taken); with a clean session it writes
	 * nothing, since the connect deletes the stored session.
	 * @param store the session store
	 * @param clientId the client id
	 * @param configured the configured topics
	 * @param cleanSession whether the session starts clean
	 */
	public static void record(SessionStore store, String clientId, List<Subscription> configured,
			boolean cleanSession) {
		if (cleanSession) {
			return;
		}
		List<Subscription> configuredTopics = asConfigured(configured);
		List<Subscription> stored = stored(store, clientId);
		for (String filter : stale(stored, configuredTopics)) {
			store.removeSubscription(clientId, filter);
		}
		for (Subscription subscription : configuredTopics) {
			if (!stored.contains(subscription)) {
				store.addSubscription(clientId, subscription);
			}
		}
	}

	private static List<Subscription> stored(SessionStore store, String clientId) {
		return store.load(clientId).map(MqttSession::subscriptions).orElse(List.of());
	}

	/**
	 * The stored subscriptions that came from the configuration and are no longer in it.
	 */
	private static List<String> stale(List<Subscription> stored, List<Subscription> configured) {
		Set<String> configuredFilters = configured.stream().map(Subscription::topicFilter).collect(Collectors.toSet());
		return stored.stream()
			.filter((subscription) -> subscription.configured()
					&& !configuredFilters.contains(subscription.topicFilter()))
			.map(Subscription::topicFilter)
			.toList();
	}

	private static List<Subscription> asConfigured(List<Subscription> configured) {
		return configured.stream()
			.map((subscription) -> subscription.configured() ? subscription
					: new Subscription(subscription.topicFilter(), subscription.qos(), true))
			.toList();
	}

	/**
	 * The topic filters, in order.
	 * @return the filters
	 */
	public String[] filters() {
		return this.topics.stream().map(Subscription::topicFilter).toArray(String[]::new);
	}

	/**
	 * The QoS of each topic, in the order of {@link #filters()}.
	 * @return the QoS levels
	 */
	public int[] qos() {
		return this.topics.stream().mapToInt(Subscription::qos).toArray();
	}

}
