package io.github.mqttsession.integration;

import java.util.Map;
import java.util.function.BiPredicate;

import io.github.mqttsession.observation.DefaultMqttReceiveObservationConvention;
import io.github.mqttsession.observation.MqttReceiveObservationContext;
import io.github.mqttsession.observation.MqttReceiveObservationConvention;
import io.github.mqttsession.observation.MqttSessionObservation;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.support.ErrorMessageStrategy;

/**
 * The receive observation of an inbound adapter of either MQTT version: it wraps the
 * handling of each arriving message, tagged with the adapter's topic filter that the
 * topic matched, and marks it failed when the flow failed, also when the adapter then
 * sends the failure to its error channel and returns normally. Without a registry (the
 * default) it costs one check per message and builds nothing.
 */
final class InboundObservation {

	private static final String OTHER = "other";

	private final BiPredicate<String, String> matcher;

	private volatile ObservationRegistry registry = ObservationRegistry.NOOP;

	private volatile @Nullable MqttReceiveObservationConvention convention;

	/**
	 * The adapter's topic filters, kept here as they change: reading them from the
	 * adapter takes a lock a subscribe holds while it waits for the broker.
	 */
	private volatile String[] topicFilters;

	/**
	 * Creates the observation of one adapter.
	 * @param matcher Paho's match of a topic filter and a topic, for the adapter's
	 * version
	 * @param topicFilters the adapter's topic filters
	 */
	InboundObservation(BiPredicate<String, String> matcher, String[] topicFilters) {
		this.matcher = matcher;
		this.topicFilters = topicFilters;
	}

	void setRegistry(ObservationRegistry registry) {
		this.registry = registry;
	}

	void setConvention(@Nullable MqttReceiveObservationConvention convention) {
		this.convention = convention;
	}

	void setTopicFilters(String[] topicFilters) {
		this.topicFilters = topicFilters;
	}

	boolean isNoop() {
		return this.registry.isNoop();
	}

	/**
	 * Handles an arriving message inside a receive observation.
	 * @param clientId the MQTT client id
	 * @param topic the message's topic
	 * @param qos the QoS it arrived with
	 * @param userProperties its MQTT 5 user properties, where the publisher's trace
	 * context travels
	 * @param handling the adapter's own handling of the message
	 */
	void observe(String clientId, String topic, int qos, Map<String, String> userProperties, Runnable handling) {
		MqttReceiveObservationContext context = new MqttReceiveObservationContext(clientId, topicFilter(topic), topic,
				qos, userProperties);
		MqttSessionObservation.RECEIVE
			.observation(this.convention, DefaultMqttReceiveObservationConvention.INSTANCE, () -> context,
					this.registry)
			.observe(handling);
	}

	/**
	 * Wraps the adapter's error message strategy, which builds the message for the error
	 * channel only when the flow failed, to mark the current receive observation failed.
	 * @param strategy the strategy to wrap
	 * @return the wrapping strategy
	 */
	ErrorMessageStrategy recordingErrors(ErrorMessageStrategy strategy) {
		return (throwable, attributes) -> {
			Observation current = this.registry.getCurrentObservation();
			if (current != null && current.getContext() instanceof MqttReceiveObservationContext) {
				current.error(throwable);
			}
			return strategy.buildErrorMessage(throwable, attributes);
		};
	}

	private String topicFilter(String topic) {
		for (String filter : this.topicFilters) {
			try {
				if (this.matcher.test(withoutSharePrefix(filter), topic)) {
					return filter;
				}
			}
			catch (IllegalArgumentException ex) {
				// Paho refuses a filter or topic it finds malformed: not a match, and no
				// reason to fail the delivery over a tag
			}
		}
		return OTHER;
	}

	/**
	 * A shared subscription's filter, {@code $share/group/filter}, matches as its filter.
	 */
	private static String withoutSharePrefix(String filter) {
		if (!filter.startsWith("$share/")) {
			return filter;
		}
		int end = filter.indexOf('/', "$share/".length());
		return (end >= 0) ? filter.substring(end + 1) : filter;
	}

}
