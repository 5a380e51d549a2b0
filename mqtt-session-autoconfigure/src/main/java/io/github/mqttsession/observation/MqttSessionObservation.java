package io.github.mqttsession.observation;

import io.micrometer.common.docs.KeyName;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.micrometer.observation.docs.ObservationDocumentation;

/**
 * The observations of durable MQTT sessions: a publish, from the send reaching the
 * outbound handler until the message is durable in the session store or acknowledged, and
 * the handling of an arriving message, from its arrival until the inbound flow returned.
 */
public enum MqttSessionObservation implements ObservationDocumentation {

	/**
	 * A message published through the outbound handler.
	 */
	PUBLISH {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultMqttPublishObservationConvention.class;
		}

	},

	/**
	 * A message that arrived at the inbound adapter, handled by the inbound flow.
	 */
	RECEIVE {

		@Override
		public Class<? extends ObservationConvention<? extends Observation.Context>> getDefaultConvention() {
			return DefaultMqttReceiveObservationConvention.class;
		}

	};

	@Override
	public KeyName[] getLowCardinalityKeyNames() {
		return LowCardinalityKeyNames.values();
	}

	@Override
	public KeyName[] getHighCardinalityKeyNames() {
		return HighCardinalityKeyNames.values();
	}

	/**
	 * The tags of both observations with few values, on the timers and the spans.
	 */
	public enum LowCardinalityKeyNames implements KeyName {

		/** Always {@code mqtt}. */
		MESSAGING_SYSTEM("messaging.system"),

		/** {@code publish} for a publish, {@code process} for an arriving message. */
		MESSAGING_OPERATION("messaging.operation"),

		/** The MQTT client id. */
		CLIENT_ID("messaging.client.id"),

		/**
		 * Where the message went or came from, as configured: the default topic for a
		 * publish to it, the subscription's topic filter that matched for an arriving
		 * message; {@code other} where neither applies. Never the topic itself, which
		 * often names a device or a user.
		 */
		DESTINATION_NAME("messaging.destination.name"),

		/**
		 * The QoS the message was published or received with; {@code unknown} when none.
		 */
		QOS("messaging.mqtt.qos"),

		/** {@code success}, or {@code error} when the publish or the flow failed. */
		OUTCOME("outcome");

		private final String name;

		LowCardinalityKeyNames(String name) {
			this.name = name;
		}

		@Override
		public String asString() {
			return this.name;
		}

	}

	/**
	 * The tags of both observations with many values, on the spans only.
	 */
	public enum HighCardinalityKeyNames implements KeyName {

		/** The topic itself; {@code unknown} for a publish refused before it had one. */
		TOPIC("messaging.mqtt.topic");

		private final String name;

		HighCardinalityKeyNames(String name) {
			this.name = name;
		}

		@Override
		public String asString() {
			return this.name;
		}

	}

}
