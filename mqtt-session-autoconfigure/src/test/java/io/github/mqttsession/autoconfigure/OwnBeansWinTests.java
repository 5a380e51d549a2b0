package io.github.mqttsession.autoconfigure;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;

import io.github.mqttsession.actuate.MqttSessionHealthIndicator;
import io.github.mqttsession.actuate.MqttSessionsEndpoint;
import io.github.mqttsession.broker.EmbeddedMqttBroker;
import io.github.mqttsession.integration.MqttSubscriptions;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.integration.SessionMqttInboundChannelAdapter;
import io.github.mqttsession.integration.SessionMqttMessageHandler;
import io.github.mqttsession.integration.SessionMqttv3ClientManager;
import io.github.mqttsession.metrics.MqttSessionMetrics;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.MoquetteExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.scheduling.TaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every bean the starter defines backs off for the application's own of its type (or of
 * its name, where the type says too little), and the starter's other beans use the
 * application's.
 */
@ExtendWith(MoquetteExtension.class)
class OwnBeansWinTests {

	private static final String CLIENT_ID = "own-beans";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class, MqttSessionMetricsAutoConfiguration.class,
				MqttSessionHealthAutoConfiguration.class, MqttSessionsEndpointAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(), "mqtt.client.client-id=" + CLIENT_ID,
				"mqtt.client.completion-timeout=5s", "mqtt.client.quiescent-timeout=0s",
				"mqtt.client.disconnect-timeout=1s", "mqtt.inbound.topics[0].filter=own/#",
				"management.endpoints.web.exposure.include=mqttsessions");

	static Stream<Arguments> ownBeans() {
		return Stream.of(Arguments.of(SessionMqttv3ClientManager.class, OwnClientManager.class),
				Arguments.of(SessionMqttInboundChannelAdapter.class, OwnInboundAdapter.class),
				Arguments.of(MqttSubscriptions.class, OwnSubscriptions.class),
				Arguments.of(SessionMqttMessageHandler.class, OwnOutboundHandler.class),
				Arguments.of(MqttSessionsEndpoint.class, OwnEndpoint.class),
				Arguments.of(MqttSessionHealthIndicator.class, OwnHealthIndicator.class),
				Arguments.of(MqttSessionMetrics.class, OwnMetrics.class));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("ownBeans")
	void theApplicationsOwnBeanOfTheTypeWins(Class<?> type, Class<?> configuration) {
		this.runner.withUserConfiguration(configuration).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeanNamesForType(type)).containsExactly("own");
		});
	}

	@Test
	void theApplicationsOwnOutboundFlowOfTheNameWins() {
		this.runner.withUserConfiguration(OwnOutboundFlow.class).run((context) -> {
			assertThat(context).hasNotFailed();
			AnnotatedBeanDefinition flow = (AnnotatedBeanDefinition) context.getBeanFactory()
				.getBeanDefinition("mqttOutboundFlow");
			assertThat(flow.getFactoryMethodMetadata().getDeclaringClassName())
				.isEqualTo(OwnOutboundFlow.class.getName());
		});
	}

	@Test
	void theApplicationsOwnEmbeddedBrokerWins() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EmbeddedMqttBrokerAutoConfiguration.class))
			.withPropertyValues("mqtt.broker.embedded.enabled=true")
			.withUserConfiguration(OwnBroker.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBeanNamesForType(EmbeddedMqttBroker.class)).containsExactly("own");
			});
	}

	private static SessionMqttv3ClientManager clientManager(SessionStore store, TaskScheduler scheduler) {
		MqttConnectOptions options = new MqttConnectOptions();
		options.setServerURIs(new String[] { MoquetteExtension.url() });
		SessionMqttv3ClientManager manager = new SessionMqttv3ClientManager(options, CLIENT_ID,
				new SessionStoreMqttClientPersistence(store, CLIENT_ID), 10_000, scheduler);
		manager.setQuiescentTimeout(0);
		manager.setDisconnectCompletionTimeout(1000);
		return manager;
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnClientManager {

		@Bean(destroyMethod = "")
		SessionMqttv3ClientManager own(SessionStore store,
				@Qualifier(SessionStoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
			return clientManager(store, scheduler);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnInboundAdapter {

		@Bean
		SessionMqttInboundChannelAdapter own(SessionMqttv3ClientManager manager) {
			SessionMqttInboundChannelAdapter adapter = new SessionMqttInboundChannelAdapter(manager, List.of(),
					"own/#");
			adapter.setOutputChannelName("mqttInboundChannel");
			adapter.setDisconnectCompletionTimeout(1000);
			return adapter;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnSubscriptions {

		@Bean
		MqttSubscriptions own(SessionMqttInboundChannelAdapter adapter, SessionStore store) {
			return new MqttSubscriptions(adapter, store, CLIENT_ID);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnOutboundHandler {

		@Bean
		SessionMqttMessageHandler own(SessionMqttv3ClientManager manager) {
			SessionMqttMessageHandler handler = new SessionMqttMessageHandler(manager);
			handler.setDisconnectCompletionTimeout(1000);
			return handler;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnOutboundFlow {

		@Bean
		IntegrationFlow mqttOutboundFlow(SessionMqttMessageHandler handler) {
			return IntegrationFlow.from("mqttOutboundChannel").handle(handler).get();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnEndpoint {

		@Bean
		MqttSessionsEndpoint own(SessionStore store, ObjectProvider<SessionClientManager> clients) {
			return new MqttSessionsEndpoint(store, clients::orderedStream, Clock.systemUTC());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnHealthIndicator {

		@Bean
		MqttSessionHealthIndicator own(SessionStore store, ObjectProvider<SessionClientManager> clients) {
			return new MqttSessionHealthIndicator(store, clients::orderedStream);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnMetrics {

		@Bean
		MqttSessionMetrics own(MeterRegistry registry, ObjectProvider<SessionClientManager> clients) {
			return new MqttSessionMetrics(registry, clients::orderedStream);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnBroker {

		// Never started: the point is only that the starter's broker is not created
		@Bean(destroyMethod = "")
		EmbeddedMqttBroker own(@org.springframework.beans.factory.annotation.Value("${java.io.tmpdir}") Path tmp) {
			return new EmbeddedMqttBroker("127.0.0.1", 0, tmp.resolve("own-broker"),
					EmbeddedMqttBroker.Persistence.IN_MEMORY);
		}

	}

}
