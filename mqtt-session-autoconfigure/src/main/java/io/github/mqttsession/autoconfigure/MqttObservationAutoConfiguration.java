package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.integration.SessionMqttInboundChannelAdapter;
import io.github.mqttsession.integration.SessionMqttMessageHandler;
import io.github.mqttsession.integration.SessionMqttv5InboundChannelAdapter;
import io.github.mqttsession.integration.SessionMqttv5MessageHandler;
import io.github.mqttsession.observation.MqttPublishObservationConvention;
import io.github.mqttsession.observation.MqttReceiveObservationConvention;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.integration.mqtt.core.ClientManager;

/**
 * Auto-configuration of Micrometer observations of what the MQTT client publishes and
 * receives: with an {@link ObservationRegistry} bean (Spring Boot Actuator defines one),
 * the starter's outbound handler and inbound adapter observe each message in it, named
 * and tagged by the application's {@link MqttPublishObservationConvention} or
 * {@link MqttReceiveObservationConvention} bean when it has one. Without a registry, or
 * with {@code mqtt.observations.enabled=false}, nothing is observed and a message costs
 * nothing more. Applied as customizers, first, so that a customizer of the application's
 * own can still change what these set.
 */
@AutoConfiguration(
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ClientManager.class)
@ConditionalOnBean(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "mqtt.observations.enabled", matchIfMissing = true)
@Import({ MqttObservationAutoConfiguration.Mqttv3.class, MqttObservationAutoConfiguration.Mqttv5.class })
public final class MqttObservationAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(org.eclipse.paho.client.mqttv3.IMqttAsyncClient.class)
	static class Mqttv3 {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		MqttOutboundHandlerCustomizer mqttv3OutboundObservation(ObservationRegistry registry,
				ObjectProvider<MqttPublishObservationConvention> convention) {
			return (handler) -> {
				if (handler instanceof SessionMqttMessageHandler sessionHandler) {
					sessionHandler.setObservationRegistry(registry);
					convention.ifUnique(sessionHandler::setPublishObservationConvention);
				}
			};
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		MqttInboundAdapterCustomizer mqttv3InboundObservation(ObservationRegistry registry,
				ObjectProvider<MqttReceiveObservationConvention> convention) {
			return (adapter) -> {
				if (adapter instanceof SessionMqttInboundChannelAdapter sessionAdapter) {
					sessionAdapter.setObservationRegistry(registry);
					convention.ifUnique(sessionAdapter::setReceiveObservationConvention);
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(org.eclipse.paho.mqttv5.client.IMqttAsyncClient.class)
	static class Mqttv5 {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		MqttOutboundHandlerCustomizer mqttv5OutboundObservation(ObservationRegistry registry,
				ObjectProvider<MqttPublishObservationConvention> convention) {
			return (handler) -> {
				if (handler instanceof SessionMqttv5MessageHandler sessionHandler) {
					sessionHandler.setObservationRegistry(registry);
					convention.ifUnique(sessionHandler::setPublishObservationConvention);
				}
			};
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		MqttInboundAdapterCustomizer mqttv5InboundObservation(ObservationRegistry registry,
				ObjectProvider<MqttReceiveObservationConvention> convention) {
			return (adapter) -> {
				if (adapter instanceof SessionMqttv5InboundChannelAdapter sessionAdapter) {
					sessionAdapter.setObservationRegistry(registry);
					convention.ifUnique(sessionAdapter::setReceiveObservationConvention);
				}
			};
		}

	}

}
