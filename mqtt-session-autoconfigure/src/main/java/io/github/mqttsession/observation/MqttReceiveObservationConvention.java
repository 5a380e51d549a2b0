package io.github.mqttsession.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@link MqttSessionObservation#RECEIVE receive} observation. A bean
 * of this type replaces {@link DefaultMqttReceiveObservationConvention}; extend that one
 * to change a tag and keep the others.
 */
public interface MqttReceiveObservationConvention extends ObservationConvention<MqttReceiveObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof MqttReceiveObservationContext;
	}

	@Override
	default String getName() {
		return DefaultMqttReceiveObservationConvention.NAME;
	}

}
