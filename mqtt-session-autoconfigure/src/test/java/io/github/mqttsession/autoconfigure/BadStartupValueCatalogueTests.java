package io.github.mqttsession.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreLimits;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A catalogue of bad configured values that would reach the wire: each fails at start-up,
 * before any connection is tried, naming the property, the value and what is valid, and
 * leaves the stored session as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadStartupValueCatalogueTests {

	/**
	 * Nothing listens there; a configuration that fails validation never gets as far as
	 * connecting.
	 */
	private static final String UNREACHABLE = "tcp://127.0.0.1:1";

	private static final String CLIENT_ID = "catalogue-startup";

	private static final String LONG = "x".repeat(65_536);

	/**
	 * 1,025 UTF-8 bytes: one more than the JPA store accepts, far less than MQTT allows.
	 */
	private static final String OVER_STORE_LIMIT = "s".repeat(1_025);

	/** 342 euro signs: 342 characters but 1,026 UTF-8 bytes. */
	private static final String EUROS_OVER_STORE_LIMIT = "\u20AC".repeat(342);

	private static final MqttSession STORED = new MqttSession(List.of(new Subscription("stored/#", 1)),
			List.of(new PendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, 7, "stored/pending",
					"pending".getBytes(StandardCharsets.UTF_8), 1, false)),
			7);

	/**
	 * One store for every case, holding a session under the configured client id that no
	 * case may change.
	 */
	private final LimitedStore store = new LimitedStore();

	private final String databaseUrl = "jdbc:h2:mem:catalogue-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

	private final ApplicationContextRunner jpaStoreOnly = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(DataSourceAutoConfiguration.class, SessionStoreAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=" + this.databaseUrl);

	private final ApplicationContextRunner client = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.url=" + UNREACHABLE, "mqtt.client.client-id=" + CLIENT_ID);

	@BeforeAll
	void storeASession() {
		this.store.save(CLIENT_ID, STORED);
		this.jpaStoreOnly.run((context) -> context.getBean(SessionStore.class).save(CLIENT_ID, STORED));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badValues")
	void aBadValueFailsAtStartUpNamingThePropertyTheValueAndTheRule(String property, Object value, List<String> rule,
			List<String> otherProperties) {
		this.client.withBean(SessionStore.class, () -> this.store)
			.withPropertyValues(otherProperties.toArray(String[]::new))
			.withPropertyValues(property + "=" + value)
			.run((context) -> assertInvalidValue(context, property, value, rule));
		assertThat(this.store.load(CLIENT_ID)).contains(STORED);
	}

	@ParameterizedTest(name = "{0} ({1} UTF-8 bytes)")
	@MethodSource("overTheJpaStoreLimits")
	void aValueOverTheJpaStoresLimitFailsAtStartUpNamingThePropertyAndTheLimit(String property, int bytes,
			String value) {
		this.client.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=" + this.databaseUrl, property + "=" + value)
			.run((context) -> assertInvalidValue(context, property, value,
					List.of(bytes + " UTF-8 bytes long", "JpaSessionStore", "at most 1024 bytes")));
		this.jpaStoreOnly
			.run((context) -> assertThat(context.getBean(SessionStore.class).load(CLIENT_ID)).contains(STORED));
	}

	static Stream<Arguments> overTheJpaStoreLimits() {
		return Stream.of(Arguments.of("mqtt.client.client-id", 1_025, OVER_STORE_LIMIT),
				Arguments.of("mqtt.client.client-id", 1_026, EUROS_OVER_STORE_LIMIT),
				Arguments.of("mqtt.inbound.topics[0].filter", 1_025, OVER_STORE_LIMIT),
				Arguments.of("mqtt.inbound.topics[0].filter", 1_026, EUROS_OVER_STORE_LIMIT));
	}

	static Stream<Arguments> badValues() {
		return Stream.of(
				// The client id: MQTT's rules for strings, then the store's own limit
				bad("mqtt.client.client-id", "sensor\u0000one", "U+0000"),
				bad("mqtt.client.client-id", "sensor-\uD800", "U+D800", "well-formed UTF-8"),
				bad("mqtt.client.client-id", "\uDC00sensor", "U+DC00", "well-formed UTF-8"),
				bad("mqtt.client.client-id", "sensor-\uDBFF\uDBFF", "U+DBFF", "well-formed UTF-8"),
				bad("mqtt.client.client-id", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				bad("mqtt.client.client-id", OVER_STORE_LIMIT, "1025 UTF-8 bytes long", "at most 1024 bytes"),
				bad("mqtt.client.client-id", EUROS_OVER_STORE_LIMIT, "1026 UTF-8 bytes long", "at most 1024 bytes"),
				// The user name
				bad("mqtt.client.username", "ad\u0000min", "U+0000"),
				bad("mqtt.client.username", "admin\uDFFF", "U+DFFF", "well-formed UTF-8"),
				bad("mqtt.client.username", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				// The will
				bad("mqtt.client.will.topic", "status/#", "wildcards"),
				bad("mqtt.client.will.topic", "status/+/down", "wildcards"),
				bad("mqtt.client.will.topic", "status\u0000down", "U+0000"),
				bad("mqtt.client.will.topic", "status/\uD83D", "U+D83D", "well-formed UTF-8"),
				bad("mqtt.client.will.topic", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				will("mqtt.client.will.payload", "gone \uD800", "U+D800", "well-formed UTF-8"),
				will("mqtt.client.will.payload", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				will("mqtt.client.will.qos", 3, "0, 1 or 2"), will("mqtt.client.will.qos", -1, "0, 1 or 2"),
				// The outbound defaults
				bad("mqtt.outbound.default-topic", "sensors/#", "wildcards"),
				bad("mqtt.outbound.default-topic", "sensors/+", "wildcards"),
				bad("mqtt.outbound.default-topic", "sen\u0000sors", "U+0000"),
				bad("mqtt.outbound.default-topic", "sensors/\uDE00", "U+DE00", "well-formed UTF-8"),
				bad("mqtt.outbound.default-topic", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				bad("mqtt.outbound.default-qos", 3, "0, 1 or 2"), bad("mqtt.outbound.default-qos", -1, "0, 1 or 2"),
				// The configured subscriptions
				bad("mqtt.inbound.topics[0].filter", "sensors\u0000/#", "U+0000"),
				bad("mqtt.inbound.topics[0].filter", "sensors/\uD800/#", "U+D800", "well-formed UTF-8"),
				bad("mqtt.inbound.topics[0].filter", "sensors/#/temperature", "'#'", "whole last level"),
				bad("mqtt.inbound.topics[0].filter", "sensors/#temperature", "'#'", "whole last level"),
				bad("mqtt.inbound.topics[0].filter", "sensors+/temperature", "'+'", "whole level"),
				bad("mqtt.inbound.topics[0].filter", LONG, "65536 UTF-8 bytes long", "at most 65535 bytes"),
				bad("mqtt.inbound.topics[0].filter", OVER_STORE_LIMIT, "1025 UTF-8 bytes long", "at most 1024 bytes"),
				// Numbers MQTT encodes in a fixed size
				bad("mqtt.client.keep-alive", Duration.ofSeconds(65_536), "two-byte", "at most 65535s"),
				bad("mqtt.client.keep-alive", Duration.ofDays(1), "two-byte", "at most 65535s"));
	}

	/**
	 * The password is the one value a report must not print: it is named, masked, with
	 * the rule.
	 */
	@ParameterizedTest(name = "password {1}")
	@MethodSource("badPasswords")
	void aBadPasswordFailsAtStartUpWithoutShowingIt(String password, String rule) {
		this.client.withBean(SessionStore.class, () -> this.store)
			.withPropertyValues("mqtt.client.username=admin", "mqtt.client.password=" + password)
			.run((context) -> {
				assertInvalidValue(context, "mqtt.client.password", "******", List.of(rule));
				assertThat(context.getStartupFailure()).rootCause().message().doesNotContain(password);
			});
		assertThat(this.store.load(CLIENT_ID)).contains(STORED);
	}

	static Stream<Arguments> badPasswords() {
		return Stream.of(Arguments.of("secret\uD800", "lone UTF-16 surrogate"),
				Arguments.of("\uDC00secret", "lone UTF-16 surrogate"), Arguments.of(LONG, "at most 65535 bytes"));
	}

	private static Arguments bad(String property, Object value, String... rule) {
		return Arguments.of(property, value, List.of(rule), List.of());
	}

	/** The will's payload and QoS count only with a will topic. */
	private static Arguments will(String property, Object value, String... rule) {
		return Arguments.of(property, value, List.of(rule), List.of("mqtt.client.will.topic=status/down"));
	}

	private static void assertInvalidValue(AssertableApplicationContext context, String property, Object value,
			List<String> rule) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).rootCause()
			.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo(property);
				assertThat(String.valueOf(ex.getValue())).isEqualTo(String.valueOf(value));
				assertThat(ex.getReason()).contains(rule);
			});
	}

	/**
	 * An in-memory store that states the JPA store's limits, as a store of the user's own
	 * may.
	 */
	static final class LimitedStore extends InMemorySessionStore implements SessionStoreLimits {

		@Override
		public int maxClientIdBytes() {
			return JpaSessionStore.MAX_CLIENT_ID_BYTES;
		}

		@Override
		public int maxTopicFilterBytes() {
			return JpaSessionStore.MAX_TOPIC_FILTER_BYTES;
		}

	}

}
