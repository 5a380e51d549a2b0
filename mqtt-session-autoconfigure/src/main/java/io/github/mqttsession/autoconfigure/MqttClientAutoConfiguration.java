package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.broker.EmbeddedMqttBroker;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.integration.mqtt.core.ClientManager;

/**
 * Auto-configuration of the MQTT client of a durable session: one shared Spring
 * Integration client manager per client id (MQTT 3.1.1 or 5 by
 * {@code mqtt.client.protocol-version}), an inbound adapter that sends what arrives to
 * {@code mqtt.inbound.channel}, an outbound handler that publishes what is sent to
 * {@code mqtt.outbound.channel}, and the runtime subscription API, all keeping the
 * session in the {@link io.github.mqttsession.store.SessionStore}. Both channels are
 * {@code DirectChannel} beans unless the application defines its own of that name. The
 * client connects as the {@link MqttConnectionDetails} say: the {@code mqtt.client.*}
 * properties, unless the application defines its own details bean.
 */
@AutoConfiguration(after = SessionStoreAutoConfiguration.class,
		afterName = "org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration")
@ConditionalOnClass(ClientManager.class)
@ConditionalOnBooleanProperty(name = "mqtt.client.enabled", matchIfMissing = true)
@EnableConfigurationProperties({ MqttClientProperties.class, MqttInboundProperties.class, MqttOutboundProperties.class,
		MqttSessionProperties.class })
@Import({ MqttClientConfigurations.Mqttv3.class, MqttClientConfigurations.Mqttv5.class })
public final class MqttClientAutoConfiguration {

	@Bean
	static MqttChannelRegistrar mqttChannelRegistrar() {
		return new MqttChannelRegistrar();
	}

	@Bean
	static FlowChannelPrecedence mqttFlowChannelPrecedence() {
		return new FlowChannelPrecedence();
	}

	@Bean
	@ConditionalOnMissingBean(MqttConnectionDetails.class)
	PropertiesMqttConnectionDetails mqttConnectionDetails(MqttClientProperties client,
			ObjectProvider<EmbeddedMqttBroker> embeddedBroker) {
		// Resolving the embedded broker here also starts it before the client is created
		EmbeddedMqttBroker broker = embeddedBroker.getIfAvailable();
		if (broker == null) {
			return new PropertiesMqttConnectionDetails(client, null);
		}
		// A client with a bundle of its own connects over TLS when the broker listens so
		String url = (client.getSsl().getBundle() != null && broker.sslUrl() != null) ? broker.sslUrl() : broker.url();
		return new PropertiesMqttConnectionDetails(client, url);
	}

	@Bean
	@ConditionalOnMissingBean
	MqttClientSettings mqttClientSettings(MqttClientProperties client, MqttInboundProperties inbound,
			MqttOutboundProperties outbound, MqttSessionProperties session, Environment environment,
			MqttConnectionDetails connectionDetails, ListableBeanFactory beanFactory) {
		String[] names = beanFactory.getBeanNamesForType(MqttConnectionDetails.class);
		// Named in a report of a bad value; of several, the one injected is the primary
		String name = (names.length == 1) ? names[0] : "(primary of " + String.join(", ", names) + ")";
		return MqttClientSettings.resolve(client, inbound, outbound, session, environment, connectionDetails, name);
	}

}
