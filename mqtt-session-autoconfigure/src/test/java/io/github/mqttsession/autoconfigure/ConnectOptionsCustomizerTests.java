package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import io.github.mqttsession.integration.SessionMqttv3ClientManager;
import io.github.mqttsession.integration.SessionMqttv5ClientManager;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.MoquetteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every options customizer bean is applied, in order, after the properties, to the
 * options the running client connected with.
 */
@ExtendWith({ MoquetteExtension.class, HiveMqExtension.class })
class ConnectOptionsCustomizerTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.completion-timeout=5s", "mqtt.client.quiescent-timeout=0s",
				"mqtt.client.disconnect-timeout=1s", "mqtt.client.keep-alive=30s", "mqtt.inbound.enabled=false");

	@Test
	void theMqtt311OptionsAreCustomizedInOrderAfterTheProperties() {
		this.runner.withUserConfiguration(Mqtt311Customizers.class)
			.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(), "mqtt.client.client-id=customized-311")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SessionMqttv3ClientManager manager = context.getBean(SessionMqttv3ClientManager.class);
				await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
				// 30 s from the property, doubled by the first customizer, plus 1 by the
				// second
				assertThat(manager.getConnectionInfo().getKeepAliveInterval()).isEqualTo(61);
				assertThat(manager.getClient().isConnected()).isTrue();
			});
	}

	@Test
	void theMqtt5OptionsAreCustomizedInOrderAfterTheProperties() {
		this.runner.withUserConfiguration(Mqtt5Customizers.class)
			.withPropertyValues("mqtt.client.url=" + HiveMqExtension.url(), "mqtt.client.client-id=customized-5",
					"mqtt.client.protocol-version=5")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				SessionMqttv5ClientManager manager = context.getBean(SessionMqttv5ClientManager.class);
				await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
				assertThat(manager.getConnectionInfo().getKeepAliveInterval()).isEqualTo(61);
				assertThat(manager.getConnectionInfo().getReceiveMaximum()).isEqualTo(42);
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class Mqtt311Customizers {

		// Declared in the reverse of their order, so that the order is not the
		// declaration's
		@Bean
		@Order(2)
		MqttConnectOptionsCustomizer addOne() {
			return (options) -> options.setKeepAliveInterval(options.getKeepAliveInterval() + 1);
		}

		@Bean
		@Order(1)
		MqttConnectOptionsCustomizer doubleKeepAlive() {
			return (options) -> options.setKeepAliveInterval(options.getKeepAliveInterval() * 2);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class Mqtt5Customizers {

		@Bean
		@Order(2)
		MqttConnectionOptionsCustomizer addOne() {
			return (options) -> options.setKeepAliveInterval(options.getKeepAliveInterval() + 1);
		}

		@Bean
		@Order(1)
		MqttConnectionOptionsCustomizer doubleKeepAliveAndLimitReceiving() {
			return (options) -> {
				options.setKeepAliveInterval(options.getKeepAliveInterval() * 2);
				options.setReceiveMaximum(42);
			};
		}

	}

}
