package io.github.mqttsession.observation;

import io.github.mqttsession.observation.MqttSessionObservation.HighCardinalityKeyNames;
import io.github.mqttsession.observation.MqttSessionObservation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The starter's {@link MqttReceiveObservationConvention}: named {@value #NAME}, tagged
 * with the client id, the subscription's topic filter that matched, the QoS and the
 * outcome; the topic itself is a high-cardinality tag.
 */
public class DefaultMqttReceiveObservationConvention implements MqttReceiveObservationConvention {

	/** The name of the observation, and of the timer it makes. */
	public static final String NAME = "mqtt.session.receive";

	/**
	 * The one instance the adapters use unless a convention of the application's own
	 * replaces it.
	 */
	public static final DefaultMqttReceiveObservationConvention INSTANCE = new DefaultMqttReceiveObservationConvention();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(MqttReceiveObservationContext context) {
		return "process " + context.getTopicFilter();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(MqttReceiveObservationContext context) {
		return KeyValues.of(LowCardinalityKeyNames.MESSAGING_SYSTEM.withValue("mqtt"),
				LowCardinalityKeyNames.MESSAGING_OPERATION.withValue("process"),
				LowCardinalityKeyNames.CLIENT_ID.withValue(context.getClientId()),
				LowCardinalityKeyNames.DESTINATION_NAME.withValue(context.getTopicFilter()),
				LowCardinalityKeyNames.QOS.withValue(Integer.toString(context.getQos())),
				LowCardinalityKeyNames.OUTCOME.withValue((context.getError() != null) ? "error" : "success"));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(MqttReceiveObservationContext context) {
		return KeyValues.of(HighCardinalityKeyNames.TOPIC.withValue(context.getTopic()));
	}

}
