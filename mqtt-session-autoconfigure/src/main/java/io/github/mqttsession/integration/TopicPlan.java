package io.github.mqttsession.integration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;

/**
 * What the inbound adapter subscribes to at start-up: the configured topics, plus (with a kept session) the
 * subscriptions stored for the client id, less the topics that were configured at the previous start and no
 * longer are, which are unsubscribed.
 * <p>
 * To tell those apart from subscriptions added at runtime, the configured topics of each start are kept as the
 * subscriptions of a companion session, stored under the client id followed by {@value #CONFIGURED_TOPICS_SUFFIX}.
 *
 * @param topics the topics to subscribe, configured ones first
 * @param staleTopics the topics to unsubscribe
 */
public record TopicPlan(List<Subscription> topics, List<String> staleTopics) {

	/** Appended to a client id to name the companion session holding the previously configured topics. */
	public static final String CONFIGURED_TOPICS_SUFFIX = "#configured-topics";

	/**
	 * Works out the topics and brings the stored session in line with the configuration.
	 * @param store the session store
	 * @param clientId the client id
	 * @param configured the configured topics
	 * @param cleanSession whether the session starts clean (then only the configured topics count)
	 * @return the plan
	 */
	public static TopicPlan prepare(SessionStore store, String clientId, List<Subscription> configured,
			boolean cleanSession) {
		String companionId = clientId + CONFIGURED_TOPICS_SUFFIX;
		if (cleanSession) {
			store.delete(companionId);
			return new TopicPlan(configured, List.of());
		}
		List<Subscription> stored = store.load(clientId).map(MqttSession::subscriptions).orElse(List.of());
		Set<String> previouslyConfigured = store.load(companionId)
			.map((session) -> session.subscriptions().stream().map(Subscription::topicFilter).collect(Collectors.toSet()))
			.orElse(Set.of());
		Set<String> configuredFilters = configured.stream().map(Subscription::topicFilter).collect(Collectors.toSet());
		List<String> stale = new ArrayList<>();
		for (Subscription subscription : stored) {
			String filter = subscription.topicFilter();
			if (previouslyConfigured.contains(filter) && !configuredFilters.contains(filter)) {
				stale.add(filter);
				store.removeSubscription(clientId, filter);
			}
		}
		Map<String, Subscription> topics = new LinkedHashMap<>();
		for (Subscription subscription : configured) {
			topics.put(subscription.topicFilter(), subscription);
			store.addSubscription(clientId, subscription);
		}
		for (Subscription subscription : stored) {
			if (!stale.contains(subscription.topicFilter())) {
				topics.putIfAbsent(subscription.topicFilter(), subscription);
			}
		}
		store.save(companionId, new MqttSession(configured, List.of(), 0));
		return new TopicPlan(List.copyOf(topics.values()), List.copyOf(stale));
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
