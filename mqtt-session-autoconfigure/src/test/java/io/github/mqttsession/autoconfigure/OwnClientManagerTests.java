package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.mqttsession.actuate.MqttSessionHealthIndicator;
import io.github.mqttsession.integration.SessionClientManagerSupport;
import io.github.mqttsession.integration.SessionMqttClientManager;
import io.github.mqttsession.integration.SessionMqttv3ClientManager;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.SubscribedEvents;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationEventPublisherAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;
import org.springframework.scheduling.TaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's own client manager, of a class of its own that implements
 * {@link SessionMqttClientManager}, replaces the starter's, and the inbound adapter,
 * outbound handler and health indicator use it.
 */
@ExtendWith(HiveMqExtension.class)
class OwnClientManagerTests {

	private static final String CLIENT_ID = "own-client-manager";

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class, MqttSessionHealthAutoConfiguration.class))
		.withUserConfiguration(OwnManagerConfiguration.class, SubscribedEvents.class)
		.withPropertyValues("mqtt.client.url=" + HiveMqExtension.url(), "mqtt.client.client-id=" + CLIENT_ID,
				"mqtt.client.completion-timeout=5s", "mqtt.client.quiescent-timeout=0s",
				"mqtt.client.disconnect-timeout=1s", "mqtt.inbound.topics[0].filter=own-manager/#",
				"mqtt.inbound.topics[0].qos=1", "spring.integration.endpoint.default-timeout=1s");

	@Test
	void theStartersBeansUseTheApplicationsManagerAndAMessageRoundTrips() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBeanNamesForType(SessionMqttClientManager.class)).containsExactly("own");
			assertThat(context.getBeanNamesForType(SessionMqttv3ClientManager.class)).isEmpty();
			OwnClientManager manager = context.getBean(OwnClientManager.class);
			await().atMost(TIMEOUT).until(manager::isConnected);
			// The inbound adapter registered with it, and subscribed through it
			await().atMost(TIMEOUT).until(() -> manager.callbacks.get() > 0);
			SubscribedEvents.awaitSubscribed(context, TIMEOUT);

			context.getBean("mqttOutboundChannel", MessageChannel.class)
				.send(MessageBuilder.withPayload("through our own")
					.setHeader(MqttHeaders.TOPIC, "own-manager/a")
					.build());
			Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class).receive(TIMEOUT.toMillis());
			assertThat(received).isNotNull();
			assertThat(received.getPayload()).isEqualTo("through our own");
			assertThat(received.getHeaders().get(MqttHeaders.RECEIVED_TOPIC)).isEqualTo("own-manager/a");

			Health health = context.getBean(MqttSessionHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails().get("clients")).isEqualTo(Map.of(CLIENT_ID, "connected"));
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnManagerConfiguration {

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

		@Bean
		OwnClientManager own(SessionStore store,
				@Qualifier(SessionStoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler scheduler) {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setServerURIs(new String[] { HiveMqExtension.url() });
			options.setCleanSession(false);
			SessionMqttv3ClientManager delegate = new SessionMqttv3ClientManager(options, CLIENT_ID,
					new SessionStoreMqttClientPersistence(store, CLIENT_ID), 10_000, scheduler);
			delegate.setQuiescentTimeout(0);
			delegate.setDisconnectCompletionTimeout(1000);
			delegate.setCompletionTimeout(5000);
			return new OwnClientManager(delegate);
		}

	}

	/**
	 * An application's manager of its own class: it counts the adapters that register
	 * with it, and leaves the session to the starter's manager it is built on.
	 */
	static final class OwnClientManager
			implements SessionMqttClientManager<IMqttAsyncClient, MqttConnectOptions>, ApplicationEventPublisherAware {

		private final SessionMqttv3ClientManager delegate;

		final AtomicInteger callbacks = new AtomicInteger();

		OwnClientManager(SessionMqttv3ClientManager delegate) {
			this.delegate = delegate;
		}

		@Override
		public SessionClientManagerSupport<?> sessionSupport() {
			return this.delegate.sessionSupport();
		}

		@Override
		public void setApplicationEventPublisher(ApplicationEventPublisher publisher) {
			this.delegate.setApplicationEventPublisher(publisher);
		}

		@Override
		public void setBeanName(String name) {
			this.delegate.setBeanName(name);
		}

		@Override
		public String getBeanName() {
			return this.delegate.getBeanName();
		}

		@Override
		public MqttConnectOptions getConnectionInfo() {
			return this.delegate.getConnectionInfo();
		}

		@Override
		public @Nullable IMqttAsyncClient getClient() {
			return this.delegate.getClient();
		}

		@Override
		public String getUrl() {
			return this.delegate.getUrl();
		}

		@Override
		public String getClientId() {
			return this.delegate.getClientId();
		}

		@Override
		public boolean isManualAcks() {
			return this.delegate.isManualAcks();
		}

		@Override
		public void addCallback(ConnectCallback connectCallback) {
			this.callbacks.incrementAndGet();
			this.delegate.addCallback(connectCallback);
		}

		@Override
		public boolean removeCallback(ConnectCallback connectCallback) {
			return this.delegate.removeCallback(connectCallback);
		}

		@Override
		public <M> void addDefaultMessageHandler(DefaultMessageHandler<M> defaultMessageHandler) {
			this.delegate.addDefaultMessageHandler(defaultMessageHandler);
		}

		@Override
		public <M> boolean removeDefaultMessageHandler(DefaultMessageHandler<M> defaultMessageHandler) {
			return this.delegate.removeDefaultMessageHandler(defaultMessageHandler);
		}

		@Override
		public boolean isConnected() {
			return this.delegate.isConnected();
		}

		@Override
		public void start() {
			this.delegate.start();
		}

		@Override
		public void stop() {
			this.delegate.stop();
		}

		@Override
		public boolean isRunning() {
			return this.delegate.isRunning();
		}

		@Override
		public int getPhase() {
			return this.delegate.getPhase();
		}

	}

}
