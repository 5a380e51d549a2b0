package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.actuate.MqttSessionsEndpoint;
import io.github.mqttsession.store.Subscription;
import jakarta.persistence.Entity;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.ReflectionHintsPredicates;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hints that the starter's registrars, found through
 * {@code META-INF/spring/aot.factories} as ahead-of-time processing finds them, give for
 * what it reaches reflectively or as a resource.
 */
class MqttSessionRuntimeHintsTests {

	private final RuntimeHints hints = registeredHints();

	private final ReflectionHintsPredicates reflection = RuntimeHintsPredicates.reflection();

	@Test
	void theSchemaScriptsAreResources() {
		assertThat(
				RuntimeHintsPredicates.resource().forResource("io/github/mqttsession/store/jpa/schema-postgresql.sql"))
			.accepts(this.hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("io/github/mqttsession/store/jpa/schema-h2.sql"))
			.accepts(this.hints);
	}

	@Test
	void theEntitiesOfTheStoresPersistenceUnitAreBuiltAndReadByReflection() throws Exception {
		assertThat(JpaSessionStoreRuntimeHints.ENTITIES).hasSize(3);
		for (String entity : JpaSessionStoreRuntimeHints.ENTITIES) {
			assertThat(Class.forName(entity).isAnnotationPresent(Entity.class)).as(entity).isTrue();
			assertThat(this.reflection.onType(TypeReference.of(entity))
				.withMemberCategories(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
						MemberCategory.ACCESS_DECLARED_FIELDS, MemberCategory.INVOKE_DECLARED_METHODS))
				.as(entity)
				.accepts(this.hints);
		}
	}

	@Test
	void pahoMembersTheSessionReachesByReflectionMayBeAccessed() {
		assertThat(this.reflection.onFieldAccess(org.eclipse.paho.client.mqttv3.MqttAsyncClient.class, "comms"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(org.eclipse.paho.client.mqttv3.internal.ClientComms.class,
				"getClientState"))
			.accepts(this.hints);
		assertThat(
				this.reflection.onFieldAccess(org.eclipse.paho.client.mqttv3.internal.ClientState.class, "nextMsgId"))
			.accepts(this.hints);
		assertThat(this.reflection.onFieldAccess(org.eclipse.paho.mqttv5.client.MqttAsyncClient.class, "comms"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(org.eclipse.paho.mqttv5.client.internal.ClientComms.class,
				"getClientState"))
			.accepts(this.hints);
		assertThat(
				this.reflection.onFieldAccess(org.eclipse.paho.mqttv5.client.internal.ClientState.class, "nextMsgId"))
			.accepts(this.hints);
		assertThat(this.reflection.onFieldAccess(org.eclipse.paho.mqttv5.client.internal.ClientState.class,
				"outgoingTopicAliases"))
			.accepts(this.hints);
	}

	@Test
	void theEndpointsJsonTypesAreReadByReflection() {
		for (Class<?> type : new Class<?>[] { MqttSessionsEndpoint.SessionsDescriptor.class,
				MqttSessionsEndpoint.SessionDescriptor.class, MqttSessionsEndpoint.SessionDetailsDescriptor.class,
				MqttSessionsEndpoint.PendingMessageDescriptor.class, MqttSessionsEndpoint.SessionDeletion.class,
				Subscription.class }) {
			assertThat(this.reflection.onType(type)).as(type.getName()).accepts(this.hints);
		}
		assertThat(this.reflection.onMethodInvocation(MqttSessionsEndpoint.SessionDescriptor.class, "clientId"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(MqttSessionsEndpoint.SessionDetailsDescriptor.class,
				"pendingMessages"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(Subscription.class, "topicFilter")).accepts(this.hints);
	}

	private static RuntimeHints registeredHints() {
		RuntimeHints hints = new RuntimeHints();
		ClassLoader classLoader = MqttSessionRuntimeHintsTests.class.getClassLoader();
		AotServices.factories(classLoader)
			.load(RuntimeHintsRegistrar.class)
			.forEach((registrar) -> registrar.registerHints(hints, classLoader));
		return hints;
	}

}
