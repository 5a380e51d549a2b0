package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.List;

import io.github.mqttsession.testsupport.FreePort;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.SubscribedEvents;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client connects as the {@link MqttConnectionDetails} say: the properties by
 * default, an application's own details bean instead of them, and what either gives is
 * checked at start-up, naming where a bad value came from.
 */
@ExtendWith(HiveMqExtension.class)
class MqttConnectionDetailsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.client-id=connection-details", "mqtt.client.completion-timeout=5s",
				"mqtt.client.quiescent-timeout=0s", "mqtt.client.disconnect-timeout=1s",
				"spring.integration.endpoint.default-timeout=1s");

	@Test
	void byDefaultTheDetailsAreTheProperties() {
		this.runner
			.withPropertyValues("mqtt.client.url=" + HiveMqExtension.url(), "mqtt.client.username=sensor",
					"mqtt.client.password=secret", "mqtt.inbound.enabled=false", "mqtt.outbound.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MqttConnectionDetails details = context.getBean(MqttConnectionDetails.class);
				assertThat(details).isInstanceOf(PropertiesMqttConnectionDetails.class);
				assertThat(details.getUrls()).containsExactly(HiveMqExtension.url());
				assertThat(details.getUsername()).isEqualTo("sensor");
				assertThat(details.getPassword()).isEqualTo("secret");
			});
	}

	@Test
	void theApplicationsDetailsWinOverTheUrlPropertyAndAMessageRoundTrips() {
		this.runner.withUserConfiguration(SubscribedEvents.class, TestBrokerDetails.class)
			.withPropertyValues("mqtt.client.url=tcp://127.0.0.1:" + FreePort.find(),
					"mqtt.inbound.topics[0].filter=details/#")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBean(MqttConnectionDetails.class).isInstanceOf(OwnDetails.class);
				SubscribedEvents.awaitSubscribed(context, TIMEOUT);
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("21.5").setHeader(MqttHeaders.TOPIC, "details/kitchen").build());
				Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class)
					.receive(TIMEOUT.toMillis());
				assertThat(received).isNotNull();
				assertThat(received.getPayload()).isEqualTo("21.5");
			});
	}

	@Test
	void aBadUrlFromTheApplicationsDetailsFailsAtStartUpNamingTheBean() {
		this.runner.withBean("brokerDetails", MqttConnectionDetails.class, () -> new OwnDetails("http://broker:80"))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("MqttConnectionDetails bean 'brokerDetails'",
						OwnDetails.class.getName(), "getUrls()[0] = 'http://broker:80'", "scheme tcp, ssl, ws or wss");
				assertThat(analysis.getAction()).contains("getUrls()[0]");
			});
	}

	@Test
	void aPasswordWithoutUserNameFromTheApplicationsDetailsFailsOnMqtt311NamingTheBean() {
		this.runner
			.withBean("brokerDetails", MqttConnectionDetails.class,
					() -> new OwnDetails(HiveMqExtension.url(), null, "secret"))
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("MqttConnectionDetails bean 'brokerDetails'",
						"password but no user name");
				assertThat(analysis.getDescription()).doesNotContain("secret");
			});
	}

	@Test
	void aBadUrlPropertyStillFailsNamingTheProperty() {
		this.runner.withPropertyValues("mqtt.client.url=http://broker:80").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("mqtt.client.url[0]");
		});
	}

	record OwnDetails(String url, @Nullable String username,
			@Nullable String password) implements MqttConnectionDetails {

		OwnDetails(String url) {
			this(url, null, null);
		}

		@Override
		public List<String> getUrls() {
			return List.of(this.url);
		}

		@Override
		public @Nullable String getUsername() {
			return this.username;
		}

		@Override
		public @Nullable String getPassword() {
			return this.password;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class TestBrokerDetails {

		@Bean
		OwnDetails testBroker() {
			return new OwnDetails(HiveMqExtension.url());
		}

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

	}

}
