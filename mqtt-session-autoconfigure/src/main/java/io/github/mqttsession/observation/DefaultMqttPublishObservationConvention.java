package io.github.mqttsession.observation;

import java.util.Objects;

import io.github.mqttsession.observation.MqttSessionObservation.HighCardinalityKeyNames;
import io.github.mqttsession.observation.MqttSessionObservation.LowCardinalityKeyNames;
import io.micrometer.common.KeyValues;

/**
 * The starter's {@link MqttPublishObservationConvention}: named {@value #NAME}, tagged
 * with the client id, the default topic when the message went to it ({@code other} for a
 * topic from a header or an expression), the QoS and the outcome; the topic itself is a
 * high-cardinality tag.
 */
public class DefaultMqttPublishObservationConvention implements MqttPublishObservationConvention {

	/** The name of the observation, and of the timer it makes. */
	public static final String NAME = "mqtt.session.publish";

	/**
	 * The one instance the handlers use unless a convention of the application's own
	 * replaces it.
	 */
	public static final DefaultMqttPublishObservationConvention INSTANCE = new DefaultMqttPublishObservationConvention();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(MqttPublishObservationContext context) {
		return "publish " + destinationName(context);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(MqttPublishObservationContext context) {
		Integer qos = context.getQos();
		return KeyValues.of(LowCardinalityKeyNames.MESSAGING_SYSTEM.withValue("mqtt"),
				LowCardinalityKeyNames.MESSAGING_OPERATION.withValue("publish"),
				LowCardinalityKeyNames.CLIENT_ID.withValue(context.getClientId()),
				LowCardinalityKeyNames.DESTINATION_NAME.withValue(destinationName(context)),
				LowCardinalityKeyNames.QOS.withValue((qos != null) ? qos.toString() : "unknown"),
				LowCardinalityKeyNames.OUTCOME.withValue((context.getError() != null) ? "error" : "success"));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(MqttPublishObservationContext context) {
		String topic = context.getTopic();
		return KeyValues.of(HighCardinalityKeyNames.TOPIC.withValue((topic != null) ? topic : "unknown"));
	}

	/**
	 * The configured destination of the publish: the default topic when the message goes
	 * to it, {@code other} otherwise, since a topic from a header or an expression may
	 * name a device or a user.
	 * @param context the context
	 * @return the destination name
	 */
	protected String destinationName(MqttPublishObservationContext context) {
		String defaultTopic = context.getDefaultTopic();
		return (defaultTopic != null && Objects.equals(defaultTopic, context.getTopic())) ? defaultTopic : "other";
	}

}
