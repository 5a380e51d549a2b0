package io.github.mqttsession.autoconfigure;

import java.util.Arrays;
import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition behind {@link ConditionalOnStoreType}. An unbindable value matches
 * nothing here; binding the properties then reports it with the valid values.
 */
class OnStoreTypeCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		MqttSessionProperties.StoreType[] wanted = (MqttSessionProperties.StoreType[]) metadata
			.getAnnotationAttributes(ConditionalOnStoreType.class.getName())
			.get("value");
		MqttSessionProperties.StoreType configured;
		try {
			configured = Binder.get(context.getEnvironment())
				.bind(SessionStoreAutoConfiguration.STORE_PROPERTY, MqttSessionProperties.StoreType.class)
				.orElse(MqttSessionProperties.StoreType.AUTO);
		}
		catch (BindException ex) {
			return ConditionOutcome.noMatch("mqtt.session.store has an invalid value");
		}
		List<MqttSessionProperties.StoreType> types = Arrays.asList(wanted);
		return types.contains(configured) ? ConditionOutcome.match("mqtt.session.store is " + configured)
				: ConditionOutcome.noMatch("mqtt.session.store is " + configured + ", not one of " + types);
	}

}
