package io.github.mqttsession.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when {@code mqtt.session.store} is one of the given types ({@code auto} when
 * unset).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Conditional(OnStoreTypeCondition.class)
@interface ConditionalOnStoreType {

	/**
	 * The store types that match.
	 * @return the types
	 */
	MqttSessionProperties.StoreType[] value();

}
