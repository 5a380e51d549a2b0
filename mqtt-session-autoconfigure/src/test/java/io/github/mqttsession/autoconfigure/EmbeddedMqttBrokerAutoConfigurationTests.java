package io.github.mqttsession.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import io.github.mqttsession.broker.EmbeddedMqttBroker;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.core.ClientManager;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

/**
 * One test per condition of {@link EmbeddedMqttBrokerAutoConfiguration}, with a real
 * HiveMQ CE started by it.
 */
@ExtendWith(HiveMqExtension.class)
class EmbeddedMqttBrokerAutoConfigurationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(EmbeddedMqttBrokerAutoConfiguration.class, SessionStoreAutoConfiguration.class,
						MqttClientAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.client-id=embedded-broker", "mqtt.client.completion-timeout=5s",
				"mqtt.client.quiescent-timeout=0s", "spring.integration.endpoint.default-timeout=1s");

	@TempDir
	Path dataDirectory;

	@Test
	void offByDefaultSoTheClientNeedsAUrl() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("mqtt.client.url is not set");
		});
		this.runner.withPropertyValues("mqtt.client.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddedMqttBroker.class));
	}

	@Test
	void onWithPortZeroTheClientConnectsToItAndAMessageRoundTripsUntilTheBrokerStopsLast() {
		AtomicReference<EmbeddedMqttBroker> started = new AtomicReference<>();
		this.runner.withUserConfiguration(InboundQueueConfiguration.class)
			.withPropertyValues("mqtt.broker.embedded.enabled=true", "mqtt.broker.embedded.port=0",
					"mqtt.broker.embedded.data-directory=" + this.dataDirectory,
					"mqtt.inbound.topics[0].filter=embedded/#", "mqtt.inbound.topics[0].qos=1")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(EmbeddedMqttBroker.class);
				EmbeddedMqttBroker broker = context.getBean(EmbeddedMqttBroker.class);
				started.set(broker);
				assertThat(broker.getPort()).isPositive();
				assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + broker.getPort());
				assertThat(this.dataDirectory.resolve("conf/config.xml")).content()
					.contains("<port>" + broker.getPort() + "</port>", "<mode>file</mode>");
				assertThat(context.getBean(SessionStore.class)).isInstanceOf(InMemorySessionStore.class);
				// The broker is destroyed only after the client manager that depends on
				// it
				assertThat(context.getBeanFactory().getDependentBeans("embeddedMqttBroker"))
					.contains("mqttClientManager");

				@SuppressWarnings("unchecked")
				BlockingQueue<MqttSubscribedEvent> subscribed = context.getBean("subscribedEvents",
						BlockingQueue.class);
				await().atMost(TIMEOUT).until(() -> !subscribed.isEmpty());
				context.getBean("mqttOutboundChannel", MessageChannel.class)
					.send(MessageBuilder.withPayload("21.5").setHeader(MqttHeaders.TOPIC, "embedded/kitchen").build());
				Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class)
					.receive(TIMEOUT.toMillis());
				assertThat(received).isNotNull();
				assertThat(received.getHeaders().get(MqttHeaders.RECEIVED_TOPIC)).isEqualTo("embedded/kitchen");
				assertThat(received.getPayload()).isEqualTo("21.5");
			});
		assertThat(started.get().isRunning()).isFalse();
		assertThatIOException().isThrownBy(() -> connect(started.get().getPort()));
	}

	@Test
	void aPortInUseStopsTheStartUpSayingWhatToChange() throws IOException {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			this.runner.withPropertyValues("mqtt.broker.embedded.enabled=true",
					"mqtt.broker.embedded.port=" + taken.getLocalPort(), "mqtt.broker.embedded.persistence=in-memory",
					"mqtt.broker.embedded.data-directory=" + this.dataDirectory)
				.run((context) -> {
					assertThat(context).hasFailed();
					FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
					assertThat(analysis.getDescription())
						.contains("embedded MQTT broker did not start on 127.0.0.1:" + taken.getLocalPort());
					assertThat(analysis.getAction()).contains("mqtt.broker.embedded.port", "mqtt.client.url");
				});
		}
	}

	@Test
	void aBadPortOrHostFailsAtStartUpNamingTheProperty() {
		ApplicationContextRunner enabled = this.runner.withPropertyValues("mqtt.broker.embedded.enabled=true",
				"mqtt.broker.embedded.data-directory=" + this.dataDirectory);
		enabled.withPropertyValues("mqtt.broker.embedded.port=65536").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("mqtt.broker.embedded.port")
				.hasMessageContaining("65536");
		});
		enabled.withPropertyValues("mqtt.broker.embedded.host=").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("mqtt.broker.embedded.host")
				.hasMessageContaining("an address of this machine");
		});
	}

	@Test
	void withoutHiveMqOnTheClassPathItBacksOff() {
		ApplicationContextRunner withoutHiveMq = this.runner.withClassLoader(new FilteredClassLoader("com.hivemq"))
			.withPropertyValues("mqtt.broker.embedded.enabled=true");
		withoutHiveMq.withPropertyValues("mqtt.client.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(EmbeddedMqttBroker.class));
		withoutHiveMq.run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("mqtt.client.url is not set");
		});
	}

	@Test
	void anExplicitClientUrlWinsOverTheEmbeddedBroker() {
		this.runner.withPropertyValues("mqtt.broker.embedded.enabled=true", "mqtt.broker.embedded.port=0",
				"mqtt.broker.embedded.persistence=in-memory",
				"mqtt.broker.embedded.data-directory=" + this.dataDirectory, "mqtt.client.url=" + HiveMqExtension.url())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				EmbeddedMqttBroker broker = context.getBean(EmbeddedMqttBroker.class);
				assertThat(broker.isRunning()).isTrue();
				assertThat(broker.getPort()).isNotEqualTo(HiveMqExtension.port());
				@SuppressWarnings("unchecked")
				ClientManager<IMqttAsyncClient, ?> manager = context.getBean(ClientManager.class);
				await().atMost(TIMEOUT).until(manager::isConnected);
				assertThat(((MqttAsyncClient) manager.getClient()).getCurrentServerURI())
					.isEqualTo(HiveMqExtension.url());
			});
	}

	private static void connect(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class InboundQueueConfiguration {

		@Bean
		QueueChannel mqttInboundChannel() {
			return new QueueChannel();
		}

		@Bean
		BlockingQueue<MqttSubscribedEvent> subscribedEvents() {
			return new LinkedBlockingQueue<>();
		}

		@Bean
		ApplicationListener<MqttSubscribedEvent> subscribedEventCollector(
				BlockingQueue<MqttSubscribedEvent> subscribedEvents) {
			return subscribedEvents::add;
		}

	}

}
