package io.github.mqttsession.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.mqttsession.integration.DefaultMessageExpiryHeaderMapper;
import io.github.mqttsession.integration.InboundGate;
import io.github.mqttsession.integration.MqttSubscriptions;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.integration.SessionMqttClientManager;
import io.github.mqttsession.integration.SessionMqttInboundChannelAdapter;
import io.github.mqttsession.integration.SessionMqttMessageHandler;
import io.github.mqttsession.integration.SessionMqttv3ClientManager;
import io.github.mqttsession.integration.SessionMqttv5ClientManager;
import io.github.mqttsession.integration.SessionMqttv5InboundChannelAdapter;
import io.github.mqttsession.integration.SessionMqttv5MessageHandler;
import io.github.mqttsession.integration.SessionStoreDecorator;
import io.github.mqttsession.integration.TopicPlan;
import io.github.mqttsession.integration.TransactionalInbound;
import io.github.mqttsession.integration.TransactionalSends;
import io.github.mqttsession.paho.ClientSessionPersistence;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.paho.SessionStoreMqttv5ClientPersistence;
import io.github.mqttsession.persistence.CompositeSessionPersistenceListener;
import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.TransactionalInbox;
import io.github.mqttsession.store.TransactionalOutbox;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.DirectChannel;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.mqtt.core.AbstractMqttClientManager;
import org.springframework.integration.mqtt.inbound.AbstractMqttMessageDrivenChannelAdapter;
import org.springframework.messaging.MessageChannel;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The client beans per protocol version, imported by {@link MqttClientAutoConfiguration}.
 */
final class MqttClientConfigurations {

	private MqttClientConfigurations() {
	}

	static SessionStore decorated(SessionStore store, ObjectProvider<SessionStoreDecorator> decorators) {
		SessionStore decorated = store;
		for (SessionStoreDecorator decorator : decorators.orderedStream().toList()) {
			decorated = decorator.decorate(decorated);
		}
		return decorated;
	}

	static long millis(Duration duration) {
		return duration.toMillis();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(org.eclipse.paho.client.mqttv3.IMqttAsyncClient.class)
	@Conditional(OnMqtt5Condition.Mqtt311.class)
	static class Mqttv3 {

		@Bean(destroyMethod = "")
		@ConditionalOnMissingBean(SessionMqttClientManager.class)
		SessionMqttv3ClientManager mqttClientManager(MqttClientSettings settings, SessionStore sessionStore,
				ObjectProvider<SslBundles> sslBundles, ObjectProvider<SessionPersistenceListener> listener,
				ObjectProvider<SessionStoreDecorator> decorators,
				ObjectProvider<MqttConnectOptionsCustomizer> customizers,
				@Qualifier(SessionStoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler taskScheduler) {
			WireValueChecks.checkStoreLimits(settings, sessionStore);
			MqttClientProperties client = settings.client;
			MqttConnectOptions options = new MqttConnectOptions();
			options.setServerURIs(settings.urls.toArray(String[]::new));
			options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
			PropertyMapper map = PropertyMapper.get();
			map.from(client.isCleanSession()).to(options::setCleanSession);
			map.from(client.isAutomaticReconnect()).to(options::setAutomaticReconnect);
			map.from(client.getMaxReconnectDelay())
				.as(MqttClientConfigurations::millis)
				.as(Math::toIntExact)
				.to(options::setMaxReconnectDelay);
			map.from(client.getKeepAlive())
				.as(Duration::toSeconds)
				.as(Math::toIntExact)
				.to(options::setKeepAliveInterval);
			map.from(client.getConnectionTimeout())
				.as(Duration::toSeconds)
				.as(Math::toIntExact)
				.to(options::setConnectionTimeout);
			map.from(client.getMaxInflight()).to(options::setMaxInflight);
			map.from(settings.connection.username).to(options::setUserName);
			map.from(settings.connection.password).as(String::toCharArray).to(options::setPassword);
			map.from(client.getWill().getTopic())
				.to((topic) -> options.setWill(topic, settings.willPayload(), client.getWill().getQos(),
						client.getWill().isRetained()));
			map.from(MqttClientTls.socketFactory(settings, sslBundles)).to(options::setSocketFactory);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(options));
			SessionStoreMqttClientPersistence persistence = persistence(SessionStoreMqttClientPersistence::new,
					settings, sessionStore, listener, decorators, taskScheduler);
			SessionMqttv3ClientManager manager = new SessionMqttv3ClientManager(options, settings.clientId, persistence,
					settings.pendingMessageLimit.maxPendingMessages(), taskScheduler);
			configure(manager, settings);
			return manager;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.inbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		SessionMqttInboundChannelAdapter mqttInboundAdapter(MqttClientSettings settings, SessionStore sessionStore,
				SessionMqttClientManager<org.eclipse.paho.client.mqttv3.IMqttAsyncClient, MqttConnectOptions> mqttClientManager,
				ObjectProvider<MqttInboundAdapterCustomizer> customizers,
				ObjectProvider<PlatformTransactionManager> transactionManagers, BeanFactory beanFactory) {
			TopicPlan plan = plan(sessionStore, settings, mqttClientManager);
			SessionMqttInboundChannelAdapter adapter = new SessionMqttInboundChannelAdapter(mqttClientManager,
					plan.staleTopics(), plan.filters());
			if (plan.topics().size() > 0) {
				adapter.setQos(plan.qos());
			}
			configure(adapter, settings);
			if (settings.inbound.isTransactional()) {
				adapter.setTransactionalInbound(transactionalInbound(settings, sessionStore, mqttClientManager,
						transactionManagers, beanFactory));
			}
			customizers.orderedStream().forEach((customizer) -> customizer.customize(adapter));
			return adapter;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.inbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		MqttSubscriptions mqttSubscriptions(SessionMqttInboundChannelAdapter mqttInboundAdapter,
				SessionStore sessionStore, MqttClientSettings settings) {
			return new MqttSubscriptions(mqttInboundAdapter, sessionStore, settings.clientId);
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.outbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		SessionMqttMessageHandler mqttOutboundHandler(MqttClientSettings settings, SessionStore sessionStore,
				SessionMqttClientManager<org.eclipse.paho.client.mqttv3.IMqttAsyncClient, MqttConnectOptions> mqttClientManager,
				ObjectProvider<MqttOutboundHandlerCustomizer> customizers) {
			SessionMqttMessageHandler handler = new SessionMqttMessageHandler(mqttClientManager);
			configure(handler, settings);
			if (settings.outbound.isTransactional()) {
				handler.setTransactionalSends(transactionalSends(sessionStore, mqttClientManager));
			}
			customizers.orderedStream().forEach((customizer) -> customizer.customize(handler));
			return handler;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.outbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean(name = "mqttOutboundFlow")
		IntegrationFlow mqttOutboundFlow(MqttClientSettings settings, SessionMqttMessageHandler mqttOutboundHandler) {
			return IntegrationFlow.from(settings.outbound.getChannel()).handle(mqttOutboundHandler).get();
		}

	}

	/**
	 * The persistence of the client's session, either version: on the decorated store,
	 * with the settings' cap on pending messages, lease, every listener bean (in order)
	 * and offline message time to live, the send timeout, the write delay, and the
	 * scheduler that renews the lease.
	 */
	static <P extends ClientSessionPersistence> P persistence(PersistenceFactory<P> factory,
			MqttClientSettings settings, SessionStore sessionStore, ObjectProvider<SessionPersistenceListener> listener,
			ObjectProvider<SessionStoreDecorator> decorators, TaskScheduler taskScheduler) {
		P persistence = factory.create(decorated(sessionStore, decorators), settings.clientId,
				settings.pendingMessageLimit, settings.lease,
				CompositeSessionPersistenceListener.of(listener.orderedStream().toList()),
				settings.outbound.getOfflineMessageTtl());
		persistence.sendWindow().setTimeout(settings.outbound.getSendTimeout());
		persistence.setWriteDelay(settings.writeDelay);
		persistence.setTaskScheduler(taskScheduler);
		return persistence;
	}

	/**
	 * The sends that follow the application's transactions, on a store that can join
	 * them: only the JPA store writes in a transaction of the application's own.
	 */
	static TransactionalSends transactionalSends(SessionStore sessionStore, SessionClientManager manager) {
		TransactionalOutbox outbox = sessionStore.feature(TransactionalOutbox.class)
			.orElseThrow(() -> new MqttSessionConfigurationException("mqtt.outbound.transactional is true, but the"
					+ " session store (" + sessionStore.getClass().getName() + ") cannot write messages in the"
					+ " application's database transactions: only the JPA session store, whose tables live in the"
					+ " application's database, can.",
					"Use the JPA session store (mqtt.session.store=jpa, with a DataSource), or set"
							+ " mqtt.outbound.transactional to false.",
					null));
		return new TransactionalSends(manager, outbox);
	}

	/**
	 * The inbound adapter's topics, read from the store now so that its filters are in
	 * place before the broker delivers what it held for the session; the store follows
	 * the configuration only once the client owns the session (its lease taken when the
	 * client opens it), never while another instance may.
	 */
	static TopicPlan plan(SessionStore sessionStore, MqttClientSettings settings, SessionClientManager manager) {
		boolean cleanSession = settings.client.isCleanSession();
		manager
			.whenSessionOwned(() -> TopicPlan.record(sessionStore, settings.clientId, settings.topics, cleanSession));
		return TopicPlan.read(sessionStore, settings.clientId, settings.topics, cleanSession);
	}

	/**
	 * Settings shared by the client managers of both versions.
	 */
	static void configure(AbstractMqttClientManager<?, ?> manager, MqttClientSettings settings) {
		manager.setCompletionTimeout(millis(settings.client.getCompletionTimeout()));
		manager.setDisconnectCompletionTimeout(millis(settings.client.getDisconnectTimeout()));
		manager.setQuiescentTimeout(millis(settings.client.getQuiescentTimeout()));
		manager.setManualAcks(settings.inbound.getAcknowledgement() == MqttInboundProperties.Acknowledgement.MANUAL);
		if (settings.inbound.isEnabled() && manager instanceof SessionClientManager sessionClientManager) {
			sessionClientManager.setInboundGate(new InboundGate());
		}
	}

	/**
	 * The inbound flow that runs in the application's transactions: on a store that can
	 * record in them that a message was handled (only the JPA store), with the
	 * application's transaction manager, and a channel that runs the flow on the
	 * adapter's thread, inside the transaction.
	 */
	static TransactionalInbound transactionalInbound(MqttClientSettings settings, SessionStore sessionStore,
			SessionClientManager manager, ObjectProvider<PlatformTransactionManager> transactionManagers,
			BeanFactory beanFactory) {
		TransactionalInbox inbox = sessionStore.feature(TransactionalInbox.class)
			.orElseThrow(() -> new MqttSessionConfigurationException("mqtt.inbound.transactional is true, but the"
					+ " session store (" + sessionStore.getClass().getName() + ") cannot record in the application's"
					+ " database transactions that a message was handled: only the JPA session store, whose tables"
					+ " live in the application's database, can.",
					"Use the JPA session store (mqtt.session.store=jpa, with a DataSource), or set"
							+ " mqtt.inbound.transactional to false.",
					null));
		if (settings.inbound.getAcknowledgement() == MqttInboundProperties.Acknowledgement.MANUAL) {
			throw new MqttSessionConfigurationException(
					"mqtt.inbound.transactional is true and mqtt.inbound.acknowledgement is 'manual': with a"
							+ " transactional flow the commit decides when a message is acknowledged.",
					"Set mqtt.inbound.acknowledgement to 'auto', or mqtt.inbound.transactional to false.", null);
		}
		PlatformTransactionManager transactionManager = transactionManagers.getIfUnique();
		if (transactionManager == null) {
			throw new MqttSessionConfigurationException(
					"mqtt.inbound.transactional is true, but the application"
							+ " has no single PlatformTransactionManager bean to run the inbound flow's transactions.",
					"Define a DataSourceTransactionManager or JpaTransactionManager on the session store's"
							+ " DataSource (Spring Boot defines one with spring-boot-starter-data-jpa or"
							+ " spring-boot-starter-jdbc), or set mqtt.inbound.transactional to false.",
					null);
		}
		String channelName = settings.inbound.getChannel();
		MessageChannel channel = beanFactory.getBean(channelName, MessageChannel.class);
		if (!(channel instanceof DirectChannel)) {
			throw new MqttSessionConfigurationException(
					"mqtt.inbound.transactional is true, but the inbound channel '" + channelName + "' is a "
							+ channel.getClass().getSimpleName() + ", not a DirectChannel: its"
							+ " consumers may run on another thread, outside the transaction that records the message"
							+ " handled.",
					"Make '" + channelName + "' a DirectChannel (the starter defines one unless the application"
							+ " does), or set mqtt.inbound.transactional to false.",
					null);
		}
		return new TransactionalInbound(manager, inbox, transactionManager);
	}

	/**
	 * Settings shared by the inbound adapters of both versions. A message the flow fails
	 * on goes to the error channel and the adapter returns normally to Paho, which then
	 * acknowledges it (automatic acknowledgement) or leaves it to the application
	 * (manual); an exception thrown back to Paho would drop the connection, and the
	 * broker would deliver the same message again on every reconnect.
	 */
	static void configure(AbstractMqttMessageDrivenChannelAdapter<?, ?> adapter, MqttClientSettings settings) {
		adapter.setOutputChannelName(settings.inbound.getChannel());
		adapter.setErrorChannelName(settings.inbound.getErrorChannel());
		adapter.setManualAcks(settings.inbound.getAcknowledgement() == MqttInboundProperties.Acknowledgement.MANUAL);
		adapter.setCompletionTimeout(millis(settings.client.getCompletionTimeout()));
		adapter.setDisconnectCompletionTimeout(millis(settings.client.getDisconnectTimeout()));
	}

	/**
	 * Settings shared by the outbound handlers of both versions. Asynchronous: a send
	 * returns once Paho accepted the message and, for QoS 1 and 2 (and anything published
	 * while offline), once it is durable in the session store or acknowledged by the
	 * broker; events report the broker's acknowledgement.
	 */
	static void configure(org.springframework.integration.mqtt.outbound.AbstractMqttMessageHandler<?, ?> handler,
			MqttClientSettings settings) {
		MqttOutboundProperties outbound = settings.outbound;
		PropertyMapper map = PropertyMapper.get();
		map.from(outbound.getDefaultTopic()).to(handler::setDefaultTopic);
		map.from(outbound.getDefaultQos()).to(handler::setDefaultQos);
		map.from(outbound.isDefaultRetained()).to(handler::setDefaultRetained);
		handler.setAsync(true);
		handler.setAsyncEvents(true);
		handler.setCompletionTimeout(millis(settings.client.getCompletionTimeout()));
		handler.setDisconnectCompletionTimeout(millis(settings.client.getDisconnectTimeout()));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(org.eclipse.paho.mqttv5.client.IMqttAsyncClient.class)
	@Conditional(OnMqtt5Condition.class)
	static class Mqttv5 {

		@Bean(destroyMethod = "")
		@ConditionalOnMissingBean(SessionMqttClientManager.class)
		SessionMqttv5ClientManager mqttClientManager(MqttClientSettings settings, SessionStore sessionStore,
				ObjectProvider<SslBundles> sslBundles, ObjectProvider<SessionPersistenceListener> listener,
				ObjectProvider<SessionStoreDecorator> decorators,
				ObjectProvider<MqttConnectionOptionsCustomizer> customizers,
				@Qualifier(SessionStoreAutoConfiguration.TASK_SCHEDULER_BEAN_NAME) TaskScheduler taskScheduler) {
			WireValueChecks.checkStoreLimits(settings, sessionStore);
			MqttClientProperties client = settings.client;
			MqttConnectionOptions options = new MqttConnectionOptions();
			options.setServerURIs(settings.urls.toArray(String[]::new));
			PropertyMapper map = PropertyMapper.get();
			map.from(client.isCleanSession()).to(options::setCleanStart);
			map.from(client.getSessionExpiryInterval()).as(Duration::toSeconds).to(options::setSessionExpiryInterval);
			map.from(client.isAutomaticReconnect()).to(options::setAutomaticReconnect);
			options.setAutomaticReconnectDelay(Math.toIntExact(client.getMinReconnectDelay().toSeconds()),
					Math.toIntExact(client.getMaxReconnectDelay().toSeconds()));
			map.from(client.getKeepAlive())
				.as(Duration::toSeconds)
				.as(Math::toIntExact)
				.to(options::setKeepAliveInterval);
			map.from(client.getConnectionTimeout())
				.as(Duration::toSeconds)
				.as(Math::toIntExact)
				.to(options::setConnectionTimeout);
			map.from(settings.connection.username).to(options::setUserName);
			map.from(settings.connection.password)
				.as((password) -> password.getBytes(StandardCharsets.UTF_8))
				.to(options::setPassword);
			map.from(client.getWill().getTopic()).to((topic) -> {
				org.eclipse.paho.mqttv5.common.MqttMessage will = new org.eclipse.paho.mqttv5.common.MqttMessage(
						settings.willPayload(), client.getWill().getQos(), client.getWill().isRetained(), null);
				options.setWill(topic, will);
			});
			map.from(MqttClientTls.socketFactory(settings, sslBundles)).to(options::setSocketFactory);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(options));
			SessionStoreMqttv5ClientPersistence persistence = persistence(SessionStoreMqttv5ClientPersistence::new,
					settings, sessionStore, listener, decorators, taskScheduler);
			SessionMqttv5ClientManager manager = new SessionMqttv5ClientManager(options, settings.clientId, persistence,
					settings.pendingMessageLimit.maxPendingMessages(), taskScheduler);
			configure(manager, settings);
			return manager;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.inbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		SessionMqttv5InboundChannelAdapter mqttInboundAdapter(MqttClientSettings settings, SessionStore sessionStore,
				SessionMqttClientManager<org.eclipse.paho.mqttv5.client.IMqttAsyncClient, MqttConnectionOptions> mqttClientManager,
				ObjectProvider<MqttInboundAdapterCustomizer> customizers,
				ObjectProvider<PlatformTransactionManager> transactionManagers, BeanFactory beanFactory) {
			TopicPlan plan = plan(sessionStore, settings, mqttClientManager);
			SessionMqttv5InboundChannelAdapter adapter = new SessionMqttv5InboundChannelAdapter(mqttClientManager,
					plan.staleTopics(),
					plan.topics()
						.stream()
						.map((topic) -> SessionMqttv5InboundChannelAdapter.subscription(topic.topicFilter(),
								topic.qos()))
						.toArray(MqttSubscription[]::new));
			configure(adapter, settings);
			if (settings.inbound.isTransactional()) {
				adapter.setTransactionalInbound(transactionalInbound(settings, sessionStore, mqttClientManager,
						transactionManagers, beanFactory));
			}
			customizers.orderedStream().forEach((customizer) -> customizer.customize(adapter));
			return adapter;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.inbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		MqttSubscriptions mqttSubscriptions(SessionMqttv5InboundChannelAdapter mqttInboundAdapter,
				SessionStore sessionStore, MqttClientSettings settings) {
			return new MqttSubscriptions(mqttInboundAdapter, sessionStore, settings.clientId);
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.outbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean
		SessionMqttv5MessageHandler mqttOutboundHandler(MqttClientSettings settings, SessionStore sessionStore,
				SessionMqttClientManager<org.eclipse.paho.mqttv5.client.IMqttAsyncClient, MqttConnectionOptions> mqttClientManager,
				ObjectProvider<MqttOutboundHandlerCustomizer> customizers) {
			SessionMqttv5MessageHandler handler = new SessionMqttv5MessageHandler(mqttClientManager);
			if (settings.outbound.isTransactional()) {
				handler.setTransactionalSends(transactionalSends(sessionStore, mqttClientManager));
			}
			configure(handler, settings);
			PropertyMapper.get()
				.from(settings.outbound.getMessageExpiryInterval())
				.as(Duration::toSeconds)
				.as(DefaultMessageExpiryHeaderMapper::new)
				.to(handler::setHeaderMapper);
			customizers.orderedStream().forEach((customizer) -> customizer.customize(handler));
			return handler;
		}

		@Bean
		@ConditionalOnBooleanProperty(name = "mqtt.outbound.enabled", matchIfMissing = true)
		@ConditionalOnMissingBean(name = "mqttOutboundFlow")
		IntegrationFlow mqttOutboundFlow(MqttClientSettings settings, SessionMqttv5MessageHandler mqttOutboundHandler) {
			return IntegrationFlow.from(settings.outbound.getChannel()).handle(mqttOutboundHandler).get();
		}

	}

	/** The constructor of a version's persistence. */
	@FunctionalInterface
	interface PersistenceFactory<P extends ClientSessionPersistence> {

		P create(SessionStore store, String clientId, PendingMessageLimit limit, @Nullable SessionLease lease,
				SessionPersistenceListener listener, @Nullable Duration offlineMessageTtl);

	}

}
