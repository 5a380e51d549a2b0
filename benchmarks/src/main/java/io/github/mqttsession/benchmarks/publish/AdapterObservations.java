package io.github.mqttsession.benchmarks.publish;

import java.util.List;

/**
 * Whether the application has an {@code ObservationRegistry}: none, as without Actuator,
 * or one whose handler makes timers of the observations, as Actuator's does.
 */
enum AdapterObservations {

	/** No registry: the starter observes nothing. */
	NONE("", List.of()),

	/** A registry with Micrometer's meter handler on a simple meter registry. */
	METERS("-observed", List.of("bench.observations=meters"));

	final String idSuffix;

	final List<String> properties;

	AdapterObservations(String idSuffix, List<String> properties) {
		this.idSuffix = idSuffix;
		this.properties = properties;
	}

}
