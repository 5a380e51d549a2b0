package io.github.mqttsession.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code mqtt.client.protocol-version} names MQTT 5. An invalid version
 * matches nothing here; the client settings then report it with the valid versions.
 */
class OnMqtt5Condition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String version = context.getEnvironment().getProperty("mqtt.client.protocol-version", "3.1.1").trim();
		boolean mqtt5 = version.equals("5") || version.equals("5.0");
		return new ConditionOutcome(mqtt5, "mqtt.client.protocol-version is " + version);
	}

	/** The opposite: MQTT 3.1.1. */
	static class Mqtt311 extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String version = context.getEnvironment().getProperty("mqtt.client.protocol-version", "3.1.1").trim();
			boolean mqtt311 = version.equals("3.1.1") || version.equals("4");
			return new ConditionOutcome(mqtt311, "mqtt.client.protocol-version is " + version);
		}

	}

}
