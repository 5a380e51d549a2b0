package io.github.mqttsession.autoconfigure;

import java.time.Clock;

import io.github.mqttsession.actuate.MqttSessionsEndpoint;
import io.github.mqttsession.actuate.MqttSessionsEndpointWebExtension;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.store.SessionStore;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code mqttsessions} actuator endpoint, when the application
 * exposes it: the stored sessions, what each running client holds, and deletion of a
 * session that no client runs.
 */
@AutoConfiguration(after = { SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean(SessionStore.class)
@ConditionalOnAvailableEndpoint(MqttSessionsEndpoint.class)
public final class MqttSessionsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	MqttSessionsEndpoint mqttSessionsEndpoint(SessionStore sessionStore, ObjectProvider<SessionClientManager> clients) {
		return new MqttSessionsEndpoint(sessionStore, clients::orderedStream, Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint(endpoint = MqttSessionsEndpoint.class, exposure = EndpointExposure.WEB)
	MqttSessionsEndpointWebExtension mqttSessionsEndpointWebExtension(MqttSessionsEndpoint endpoint) {
		return new MqttSessionsEndpointWebExtension(endpoint);
	}

}
