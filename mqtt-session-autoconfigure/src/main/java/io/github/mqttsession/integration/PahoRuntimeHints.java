package io.github.mqttsession.integration;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * The members of Paho's clients that the session reaches by reflection, for ahead-of-time
 * processing: the client's communications and state, to carry the packet id on after a
 * restart ({@link PahoPacketIds}), and the MQTT 5 client's table of topic aliases
 * ({@link SessionMqttv5AsyncClient}). Named as text, so that the hints hold whichever of
 * Paho's two clients is on the class path.
 */
class PahoRuntimeHints implements RuntimeHintsRegistrar {

	private static final String MQTTV3 = "org.eclipse.paho.client.mqttv3.";

	private static final String MQTTV5 = "org.eclipse.paho.mqttv5.client.";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		register(hints.reflection(), MQTTV3);
		register(hints.reflection(), MQTTV5);
		hints.reflection()
			.registerType(TypeReference.of(MQTTV5 + "internal.ClientState"),
					(type) -> type.withField("outgoingTopicAliases"));
	}

	private static void register(ReflectionHints reflection, String pahoPackage) {
		reflection.registerType(TypeReference.of(pahoPackage + "MqttAsyncClient"), (type) -> type.withField("comms"));
		reflection.registerType(TypeReference.of(pahoPackage + "internal.ClientComms"),
				(type) -> type.withMethod("getClientState", List.of(), ExecutableMode.INVOKE));
		reflection.registerType(TypeReference.of(pahoPackage + "internal.ClientState"),
				(type) -> type.withField("nextMsgId"));
	}

}
