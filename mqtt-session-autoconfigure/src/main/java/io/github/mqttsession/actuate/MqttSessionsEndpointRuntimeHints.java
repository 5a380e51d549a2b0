package io.github.mqttsession.actuate;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * The types the {@code mqttsessions} endpoint answers with, for ahead-of-time processing:
 * Jackson reads their components by reflection to write them as JSON.
 */
class MqttSessionsEndpointRuntimeHints implements RuntimeHintsRegistrar {

	private final BindingReflectionHintsRegistrar bindings = new BindingReflectionHintsRegistrar();

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		this.bindings.registerReflectionHints(hints.reflection(), MqttSessionsEndpoint.SessionsDescriptor.class,
				MqttSessionsEndpoint.SessionDescriptor.class, MqttSessionsEndpoint.SessionDetailsDescriptor.class,
				MqttSessionsEndpoint.PendingMessageDescriptor.class, MqttSessionsEndpoint.SessionDeletion.class);
	}

}
