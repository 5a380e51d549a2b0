package io.github.mqttsession.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;

/**
 * What the JPA session store reaches reflectively or as a resource, for ahead-of-time
 * processing: the schema scripts, which the starter reads from the class path, and the
 * entities of the store's own persistence unit, which Hibernate builds outside Spring's
 * entity scanning and so outside Spring's own hints.
 */
class JpaSessionStoreRuntimeHints implements RuntimeHintsRegistrar {

	/** The schema scripts, one per platform. */
	static final String SCHEMA_SCRIPTS = "io/github/mqttsession/store/jpa/schema-*.sql";

	/** The entities of the store's persistence unit, package-private in their package. */
	static final List<String> ENTITIES = List.of("io.github.mqttsession.store.jpa.SessionEntity",
			"io.github.mqttsession.store.jpa.SubscriptionEntity",
			"io.github.mqttsession.store.jpa.PendingMessageEntity");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		hints.resources().registerPattern(SCHEMA_SCRIPTS);
		for (String entity : ENTITIES) {
			hints.reflection()
				.registerType(TypeReference.of(entity), MemberCategory.INVOKE_DECLARED_CONSTRUCTORS,
						MemberCategory.ACCESS_DECLARED_FIELDS, MemberCategory.INVOKE_DECLARED_METHODS);
		}
	}

}
