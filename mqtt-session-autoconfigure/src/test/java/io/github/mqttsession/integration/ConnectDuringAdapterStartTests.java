package io.github.mqttsession.integration;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.testsupport.HiveMqExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The broker's connect acknowledgement reaches the inbound adapter on Paho's thread while
 * the adapter is starting and has not yet taken its client: the adapter subscribes once
 * it has, and nothing fails. The adapters here report a connect from another thread at
 * that very moment, a window that is otherwise hit only now and then.
 */
@ExtendWith(HiveMqExtension.class)
class ConnectDuringAdapterStartTests {

	/** What a stand-in for Paho's callback thread threw, by adapter. */
	private static final Map<String, Throwable> thrown = new ConcurrentHashMap<>();

	private final LoggedErrors loggedErrors = new LoggedErrors();

	@AfterEach
	void detachLog() {
		this.loggedErrors.close();
		thrown.clear();
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aConnectReportedWhileTheAdapterStartsIsSubscribedForOnceTheAdapterHasItsClient(String version)
			throws Exception {
		String topic = "connect-during-start/" + version;
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "connect-during-start-" + version)
			.with("mqtt.client.protocol-version=" + version, "mqtt.inbound.enabled=false", "test.topic=" + topic)
			.sources(StartingAdapters.class)
			.listeners(this.loggedErrors);
		try (ConfigurableApplicationContext context = app.start()) {
			List<String> probes = MqttSessionRestartTests.publishFromAnotherClient(topic);
			assertThat(MqttSessionRestartTests.receive(context, probes.size()))
				.containsExactlyInAnyOrderElementsOf(probes);
		}
		assertThat(thrown).isEmpty();
		assertThat(this.loggedErrors.errors()).isEmpty();
	}

	/**
	 * Reports a connect to an adapter from another thread, as Paho's callback thread
	 * does, and waits for it.
	 */
	static void reportConnect(String adapter, Runnable connectComplete) {
		Thread callback = new Thread(connectComplete, "connect-callback-" + adapter);
		callback.setUncaughtExceptionHandler((thread, ex) -> thrown.put(adapter, ex));
		callback.start();
		try {
			callback.join();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Inbound adapters, one per protocol version, that hear of a connect in the middle of
	 * their start.
	 */
	@Configuration(proxyBeanMethods = false)
	static class StartingAdapters {

		@Bean
		@ConditionalOnProperty(name = "mqtt.client.protocol-version", havingValue = "3.1.1")
		SessionMqttInboundChannelAdapter startingAdapter(SessionMqttv3ClientManager manager,
				@Value("${test.topic}") String topic) {
			SessionMqttInboundChannelAdapter adapter = new SessionMqttInboundChannelAdapter(manager, List.of(), topic) {

				@Override
				protected void doStart() {
					reportConnect("3.1.1", () -> connectComplete(false));
					super.doStart();
				}

			};
			adapter.setQos(1);
			adapter.setOutputChannelName("mqttInboundChannel");
			return adapter;
		}

		@Bean
		@ConditionalOnProperty(name = "mqtt.client.protocol-version", havingValue = "5")
		SessionMqttv5InboundChannelAdapter startingV5Adapter(SessionMqttv5ClientManager manager,
				@Value("${test.topic}") String topic) {
			SessionMqttv5InboundChannelAdapter adapter = new SessionMqttv5InboundChannelAdapter(manager, List.of(),
					SessionMqttv5InboundChannelAdapter.subscription(topic, 1)) {

				@Override
				protected void doStart() {
					reportConnect("5", () -> connectComplete(false));
					super.doStart();
				}

			};
			adapter.setOutputChannelName("mqttInboundChannel");
			return adapter;
		}

	}

}
