package io.github.mqttsession.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@link MqttSessionObservation#PUBLISH publish} observation. A bean
 * of this type replaces {@link DefaultMqttPublishObservationConvention}; extend that one
 * to change a tag and keep the others.
 */
public interface MqttPublishObservationConvention extends ObservationConvention<MqttPublishObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof MqttPublishObservationContext;
	}

	@Override
	default String getName() {
		return DefaultMqttPublishObservationConvention.NAME;
	}

}
