package io.github.mqttsession.autoconfigure;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.github.mqttsession.apps.minimal.MinimalApplication;
import io.github.mqttsession.integration.MqttSubscriptions;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.ExpectedStartupFailureReport;
import io.github.mqttsession.testsupport.MoquetteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.integration.mqtt.core.ClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.awaitility.Awaitility.await;

/**
 * Every bad MQTT client setting fails at start-up, before any connection is tried, with a
 * message that names the property, the value and what is valid.
 */
@ExtendWith({ MoquetteExtension.class, OutputCaptureExtension.class })
class MqttClientConfigurationFailureTests {

	/**
	 * Nothing listens there; a configuration that fails validation never gets as far as
	 * connecting.
	 */
	private static final String UNREACHABLE = "tcp://127.0.0.1:1";

	/**
	 * A property of this starter named in a message, up to an '=' or the end of the
	 * sentence.
	 */
	private static final Pattern PROPERTY_NAME = Pattern.compile("mqtt(\\.[a-z0-9-]+)+");

	private static final String NO_DATABASE = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class));

	/**
	 * Valid in every respect but the broker, so that each test below fails for the one
	 * property it sets.
	 */
	private final ApplicationContextRunner configured = this.runner.withPropertyValues("mqtt.client.url=" + UNREACHABLE,
			"mqtt.client.client-id=configuration-failure");

	@Test
	void theBaseConfigurationIsValidAndConnects() {
		this.runner
			.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(),
					"mqtt.client.client-id=configuration-valid", "mqtt.client.completion-timeout=5s",
					"mqtt.client.quiescent-timeout=0s", "mqtt.inbound.topics[0].filter=valid/#")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.hasSingleBean(ClientManager.class)
					.hasSingleBean(MqttSubscriptions.class);
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
				assertThat(context.getBean(MqttSubscriptions.class).activeTopics()).containsExactly("valid/#");
			});
	}

	@Test
	void withoutAUrlTheFailureSaysToSetItOrToSwitchTheClientOff() {
		this.runner.withPropertyValues("mqtt.client.client-id=configuration-failure").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
			assertThat(analysis.getDescription()).contains("mqtt.client.url");
			assertThat(analysis.getAction()).contains("mqtt.client.url").contains("mqtt.client.enabled=false");
		});
	}

	@Test
	void withoutAUrlTheActionNamesOnlyPropertiesThatExist() throws Exception {
		List<String> known = documentedProperties();
		this.runner.withPropertyValues("mqtt.client.client-id=configuration-failure").run((context) -> {
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			// Advice to set a property nothing reads sends the reader nowhere
			assertThat(PROPERTY_NAME.matcher(analysis.getAction()).results().map(MatchResult::group).toList())
				.as("properties named in: %s", analysis.getAction())
				.isNotEmpty()
				.isSubsetOf(known);
		});
	}

	@Test
	void theClientIsSwitchedOffWithEnabledFalseAndThenNeedsNoUrl() {
		this.runner.withPropertyValues("mqtt.client.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(SessionStore.class)
				.doesNotHaveBean(MqttClientSettings.class)
				.doesNotHaveBean(ClientManager.class)
				.doesNotHaveBean(MqttSubscriptions.class)
				.doesNotHaveBean("mqttOutboundFlow");
		});
	}

	@Test
	void aDurableSessionWithoutAClientIdOrApplicationNameNamesBoth() {
		this.runner.withPropertyValues("mqtt.client.url=" + UNREACHABLE, "mqtt.client.clean-session=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("mqtt.client.clean-session=false")
					.contains("mqtt.client.client-id")
					.contains("spring.application.name");
				assertThat(analysis.getAction()).contains("mqtt.client.client-id");
			});
	}

	@Test
	void aTopicFilterWithHashBeforeTheLastLevelNamesTheTopicsEntry() {
		this.configured.withPropertyValues("mqtt.inbound.topics[0].filter=a/#/b")
			.run((context) -> assertInvalidValue(context, "mqtt.inbound.topics[0].filter", "a/#/b", "'#'"));
	}

	@Test
	void aTopicFilterListedTwiceNamesTheSecondEntry() {
		this.configured
			.withPropertyValues("mqtt.inbound.topics[0].filter=sensors/#", "mqtt.inbound.topics[1].filter=sensors/#")
			.run((context) -> assertInvalidValue(context, "mqtt.inbound.topics[1].filter", "sensors/#", "twice"));
	}

	@Test
	void qos3OfATopicIsRefused() {
		this.configured.withPropertyValues("mqtt.inbound.topics[0].filter=sensors/#", "mqtt.inbound.topics[0].qos=3")
			.run((context) -> assertInvalidValue(context, "mqtt.inbound.topics[0].qos", 3, "0, 1 or 2"));
	}

	@Test
	void qos3AsTheOutboundDefaultIsRefused() {
		this.configured.withPropertyValues("mqtt.outbound.default-qos=3")
			.run((context) -> assertInvalidValue(context, "mqtt.outbound.default-qos", 3, "0, 1 or 2"));
	}

	@Test
	void aDefaultTopicWithAWildcardIsRefused() {
		this.configured.withPropertyValues("mqtt.outbound.default-topic=sensors/+/temperature")
			.run((context) -> assertInvalidValue(context, "mqtt.outbound.default-topic", "sensors/+/temperature",
					"wildcards"));
	}

	@Test
	void protocolVersion6IsRefusedNamingTheValidVersions() {
		this.configured.withPropertyValues("mqtt.client.protocol-version=6")
			.run((context) -> assertInvalidValue(context, "mqtt.client.protocol-version", "6", "3.1.1", "5"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "ssl://broker.example:99999" })
	void aUrlWithAPortOutsideTheTcpRangeIsRefused(String url) {
		this.configured.withPropertyValues("mqtt.client.url=" + url)
			.run((context) -> assertInvalidValue(context, "mqtt.client.url[0]", url, "1..65535"));
	}

	@Test
	void aClientIdWithALoneSurrogateIsRefusedRatherThanSentAsAQuestionMark() {
		this.configured.withPropertyValues("mqtt.client.client-id=sensor-\uD800")
			.run((context) -> assertInvalidValue(context, "mqtt.client.client-id", "sensor-\uD800", "U+D800",
					"well-formed UTF-8"));
	}

	@Test
	void aUserNameWithANulCharacterIsRefused() {
		this.configured.withPropertyValues("mqtt.client.username=ad\u0000min")
			.run((context) -> assertInvalidValue(context, "mqtt.client.username", "ad\u0000min", "U+0000"));
	}

	@Test
	void aPasswordWithoutAUserNameIsRefusedOnMqtt311NamingBothProperties() {
		this.configured.withPropertyValues("mqtt.client.password=secret").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis).as("analysis of %s", context.getStartupFailure()).isNotNull();
			assertThat(analysis.getDescription()).contains("mqtt.client.password", "mqtt.client.username", "3.1.1");
			assertThat(analysis.getAction()).contains("protocol-version=5");
		});
	}

	@Test
	void aSendTimeoutShorterThanTheDefaultWriteDelayCutsTheDelay() {
		this.configured.withPropertyValues("mqtt.outbound.send-timeout=10ms")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aPasswordWithoutAUserNameIsAllowedOnMqtt5() {
		this.configured.withPropertyValues("mqtt.client.password=secret", "mqtt.client.protocol-version=5")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void aUrlWithoutSchemeAndHostIsRefused() {
		this.configured.withPropertyValues("mqtt.client.url=localhost:1883")
			.run((context) -> assertInvalidValue(context, "mqtt.client.url[0]", "localhost:1883", "tcp, ssl, ws or wss",
					"tcp://localhost:1883"));
	}

	@Test
	void aUrlWithAnotherSchemeIsRefusedNamingItsPlaceInTheList() {
		this.configured.withPropertyValues("mqtt.client.url=tcp://127.0.0.1:1883,http://127.0.0.1:1883")
			.run((context) -> assertInvalidValue(context, "mqtt.client.url[1]", "http://127.0.0.1:1883",
					"tcp, ssl, ws or wss"));
	}

	@Test
	void anSslBundleThatDoesNotExistIsNamedWithTheBundlesThereAre() {
		this.configured.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("mqtt.client.url=ssl://127.0.0.1:1", "mqtt.client.ssl.bundle=missing")
			.run((context) -> assertInvalidValue(context, "mqtt.client.ssl.bundle", "missing", "there is none",
					"spring.ssl.bundle.jks.missing", "spring.ssl.bundle.pem.missing"));
		this.configured.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withBean(SslBundleRegistrar.class,
					() -> (registry) -> registry.registerBundle("broker-trust", SslBundle.systemDefault()))
			.withPropertyValues("mqtt.client.url=ssl://127.0.0.1:1", "mqtt.client.ssl.bundle=broker-trusts")
			.run((context) -> assertInvalidValue(context, "mqtt.client.ssl.bundle", "broker-trusts",
					"the configured bundles are [broker-trust]"));
	}

	@Test
	void anSslBundleWithATcpUrlNamesTheUrl() {
		this.configured.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("mqtt.client.ssl.bundle=missing")
			.run((context) -> assertInvalidValue(context, "mqtt.client.url[0]", UNREACHABLE, "mqtt.client.ssl.bundle",
					"ssl://", "wss://"));
	}

	@Test
	void zeroMaxPendingMessagesIsRefused() {
		this.configured.withPropertyValues("mqtt.session.max-pending-messages=0")
			.run((context) -> assertInvalidValue(context, "mqtt.session.max-pending-messages", 0, "1..65535"));
	}

	@Test
	void aLeaseOwnerLongerThanItsColumnIsRefusedNamingTheLimit() {
		String owner = "o".repeat(256);
		this.configured.withPropertyValues("mqtt.session.lease.owner=" + owner)
			.run((context) -> assertInvalidValue(context, "mqtt.session.lease.owner", owner, "at most 255 characters"));
	}

	@Test
	void anUnknownOverflowPolicyFailsBindingNamingThePropertyAndTheValue() {
		this.configured.withPropertyValues("mqtt.session.overflow=sometimes").run((context) -> {
			assertThat(context).hasFailed();
			BindException binding = findCause(context.getStartupFailure(), BindException.class);
			assertThat(binding.getName()).hasToString("mqtt.session.overflow");
			assertThat(binding.getProperty().getValue()).isEqualTo("sometimes");
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("otherInvalidClientSettings")
	void otherInvalidClientSettingsNameThePropertyAndTheValue(String setting, String name, Object value, String rule) {
		this.configured.withPropertyValues(setting).run((context) -> assertInvalidValue(context, name, value, rule));
	}

	static Stream<Arguments> otherInvalidClientSettings() {
		return Stream.of(Arguments.of("mqtt.client.max-inflight=0", "mqtt.client.max-inflight", 0, "4..65535"),
				Arguments.of("mqtt.client.max-inflight=3", "mqtt.client.max-inflight", 3, "never send it"),
				Arguments.of("mqtt.client.keep-alive=-1s", "mqtt.client.keep-alive", Duration.ofSeconds(-1),
						"must not be negative"),
				Arguments.of("mqtt.client.max-reconnect-delay=0s", "mqtt.client.max-reconnect-delay", Duration.ZERO,
						"at least 1 s"),
				Arguments.of("mqtt.client.will.topic=status/#", "mqtt.client.will.topic", "status/#", "wildcards"),
				Arguments.of("mqtt.outbound.write-delay=-1ms", "mqtt.outbound.write-delay", Duration.ofMillis(-1),
						"must not be negative"),
				Arguments.of("mqtt.outbound.write-delay=30s", "mqtt.outbound.write-delay", Duration.ofSeconds(30),
						"shorter than mqtt.outbound.send-timeout (PT30S)"),
				Arguments.of("mqtt.outbound.offline-message-ttl=-1s", "mqtt.outbound.offline-message-ttl",
						Duration.ofSeconds(-1), "must be positive"),
				Arguments.of("mqtt.outbound.message-expiry-interval=-5s", "mqtt.outbound.message-expiry-interval",
						Duration.ofSeconds(-5), "whole number of seconds, from 1s"),
				Arguments.of("mqtt.outbound.message-expiry-interval=1m", "mqtt.outbound.message-expiry-interval",
						Duration.ofMinutes(1), "set mqtt.outbound.offline-message-ttl"));
	}

	@Test
	@ExpectedStartupFailureReport
	void theReportOfAMissingUrlNamesThePropertyAndWhatToDo(CapturedOutput output) {
		startFails(NO_DATABASE);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("No MQTT broker is configured: mqtt.client.url is not set.")
			.contains("Set mqtt.client.url to your broker, such as tcp://localhost:1883")
			.contains("mqtt.client.enabled=false");
	}

	@Test
	@ExpectedStartupFailureReport
	void theReportOfProtocolVersion6NamesThePropertyTheValueAndTheValidVersions(CapturedOutput output) {
		startFails(NO_DATABASE, "mqtt.client.url=" + UNREACHABLE, "mqtt.client.protocol-version=6");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '6' for configuration property 'mqtt.client.protocol-version'")
			.contains("Valid versions are 3.1.1 (alias 4, its protocol level) and 5.");
	}

	private static void assertInvalidValue(AssertableApplicationContext context, String name, Object value,
			String... reason) {
		assertThat(context).hasFailed();
		assertThat(context.getStartupFailure()).rootCause()
			.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo(name);
				assertThat(ex.getValue()).isEqualTo(value);
				assertThat(ex.getReason()).contains(reason);
			});
	}

	@SuppressWarnings("unchecked")
	private static List<String> documentedProperties() throws Exception {
		try (InputStream json = MqttClientConfigurationFailureTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(json).as("metadata generated by spring-boot-configuration-processor").isNotNull();
			return JsonPath.parse(json).read("$.properties[*].name", List.class);
		}
	}

	private static <T extends Throwable> T findCause(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
		}
		throw new AssertionError("No " + type.getName() + " in " + failure);
	}

	private static void startFails(String... properties) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(MinimalApplication.class).web(WebApplicationType.NONE)
				.properties(properties)
				.properties("spring.main.banner-mode=off", "mqtt.client.client-id=configuration-report")
				.run()
				.close());
	}

}
