package io.github.mqttsession.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.channel.ExecutorChannel;
import org.springframework.integration.channel.FixedSubscriberChannel;
import org.springframework.integration.channel.PublishSubscribeChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.MessageChannels;
import org.springframework.integration.endpoint.MessageProducerSupport;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbound and outbound channels are beans under their configured names, direct
 * channels unless the application defines its own; the inbound adapter sends what the
 * flow fails on to the configured error channel.
 */
class MqttChannelAutoConfigurationTests {

	/**
	 * Nothing listens there; the client keeps trying in the background while each context
	 * runs.
	 */
	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.url=tcp://127.0.0.1:1", "mqtt.client.client-id=channels",
				"mqtt.client.completion-timeout=1s", "mqtt.client.disconnect-timeout=1s",
				"mqtt.client.quiescent-timeout=0s");

	@Test
	void theChannelsAreDirectChannelsUnderTheirDefaultNames() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("mqttInboundChannel")).isExactlyInstanceOf(DirectChannel.class);
			assertThat(context.getBean("mqttOutboundChannel")).isExactlyInstanceOf(DirectChannel.class);
		});
	}

	@Test
	void theChannelsAreDirectChannelsUnderTheConfiguredNames() {
		this.runner.withPropertyValues("mqtt.inbound.channel=readings", "mqtt.outbound.channel=commands")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean("mqttInboundChannel")
					.doesNotHaveBean("mqttOutboundChannel");
				assertThat(context.getBean("readings")).isExactlyInstanceOf(DirectChannel.class);
				assertThat(context.getBean("commands")).isExactlyInstanceOf(DirectChannel.class);
			});
	}

	@Test
	void theApplicationsOwnChannelsOfThoseNamesAreUsed() {
		this.runner.withUserConfiguration(OwnChannels.class)
			.withPropertyValues("mqtt.outbound.channel=commands")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("mqttInboundChannel")).isExactlyInstanceOf(PublishSubscribeChannel.class);
				assertThat(context.getBean("commands")).isExactlyInstanceOf(ExecutorChannel.class);
			});
	}

	@Test
	void aChannelTheApplicationRegistersLateIsUsed() {
		this.runner.withUserConfiguration(LateChannel.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("mqttInboundChannel")).isExactlyInstanceOf(PublishSubscribeChannel.class);
			assertThat(context.getBean("mqttOutboundChannel")).isExactlyInstanceOf(DirectChannel.class);
		});
	}

	@Test
	void channelsDeclaredInTheApplicationsFlowsAreUsed() {
		this.runner.withUserConfiguration(FlowDeclaredChannels.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("mqttInboundChannel")).isExactlyInstanceOf(ExecutorChannel.class);
			assertThat(context.getBean("mqttOutboundChannel")).isExactlyInstanceOf(PublishSubscribeChannel.class);
		});
	}

	@Test
	void aFixedSubscriberChannelOfTheApplicationsFlowIsUsed() {
		this.runner.withUserConfiguration(FixedSubscriberInboundChannel.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean("mqttInboundChannel")).isExactlyInstanceOf(FixedSubscriberChannel.class);
		});
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void theInboundAdapterSendsWhatTheFlowFailsOnToTheErrorChannel(String version) {
		this.runner.withPropertyValues("mqtt.client.protocol-version=" + version).run((context) -> {
			MessageProducerSupport adapter = context.getBean("mqttInboundAdapter", MessageProducerSupport.class);
			assertThat(adapter.getErrorChannel()).isSameAs(context.getBean("errorChannel"));
		});
		this.runner.withUserConfiguration(OwnErrorChannel.class)
			.withPropertyValues("mqtt.client.protocol-version=" + version, "mqtt.inbound.error-channel=mqttErrors")
			.run((context) -> {
				MessageProducerSupport adapter = context.getBean("mqttInboundAdapter", MessageProducerSupport.class);
				assertThat(adapter.getErrorChannel()).isSameAs(context.getBean("mqttErrors"));
			});
	}

	@Test
	void aDisabledDirectionHasNoChannel() {
		this.runner.withPropertyValues("mqtt.inbound.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean("mqttInboundChannel").hasBean("mqttOutboundChannel");
		});
		this.runner.withPropertyValues("mqtt.outbound.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed().hasBean("mqttInboundChannel").doesNotHaveBean("mqttOutboundChannel");
		});
	}

	@Test
	void aDisabledClientHasNoChannels() {
		this.runner.withPropertyValues("mqtt.client.enabled=false").run((context) -> {
			assertThat(context).hasNotFailed()
				.doesNotHaveBean("mqttInboundChannel")
				.doesNotHaveBean("mqttOutboundChannel");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnChannels {

		@Bean
		MessageChannel mqttInboundChannel() {
			return new PublishSubscribeChannel();
		}

		@Bean
		MessageChannel commands() {
			return new ExecutorChannel(Runnable::run);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnErrorChannel {

		@Bean
		MessageChannel mqttErrors() {
			return new PublishSubscribeChannel();
		}

	}

	/**
	 * Declares the channels inside its flows, where they become beans only when the flows
	 * are built.
	 */
	@Configuration(proxyBeanMethods = false)
	static class FlowDeclaredChannels {

		@Bean
		IntegrationFlow readings() {
			return IntegrationFlow.from(MessageChannels.executor("mqttInboundChannel", Runnable::run))
				.handle((message) -> {
				})
				.get();
		}

		@Bean
		IntegrationFlow commands() {
			return IntegrationFlow.from("commandsToPublish")
				.channel(MessageChannels.publishSubscribe("mqttOutboundChannel"))
				.get();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FixedSubscriberInboundChannel {

		@Bean
		IntegrationFlow readings() {
			return IntegrationFlow.from("mqttInboundChannel", true).handle((message) -> {
			}).get();
		}

	}

	/**
	 * Registers its channel from a post-processor of its own, after the configuration
	 * classes are read.
	 */
	@Configuration(proxyBeanMethods = false)
	static class LateChannel {

		@Bean
		static BeanDefinitionRegistryPostProcessor inboundChannelRegistrar() {
			return (BeanDefinitionRegistry registry) -> registry.registerBeanDefinition("mqttInboundChannel",
					new RootBeanDefinition(PublishSubscribeChannel.class));
		}

	}

}
