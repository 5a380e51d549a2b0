package io.github.mqttsession.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import io.github.mqttsession.broker.EmbeddedMqttBroker;
import io.github.mqttsession.integration.ConnectFailure;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.testsupport.FreePort;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.channel.QueueChannel;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The client connects over TLS with the SSL bundle {@code mqtt.client.ssl.bundle} names,
 * to the TLS listener the embedded HiveMQ opens with the bundle
 * {@code mqtt.broker.embedded.ssl.bundle} names; the certificates are made for the test.
 */
@ExtendWith(HiveMqExtension.class)
class TlsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@TempDir
	static Path certificatesDirectory;

	private static TestCertificates certificates;

	private static Path unrelatedAuthority;

	@TempDir
	Path dataDirectory;

	@BeforeAll
	static void makeCertificates() {
		certificates = TestCertificates.authority(certificatesDirectory);
		certificates.server("localhost", "dns:localhost,ip:127.0.0.1");
		certificates.server("elsewhere", "dns:broker.example");
		unrelatedAuthority = certificates.unrelatedAuthority("unrelated");
	}

	private ApplicationContextRunner runner(String version) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
					EmbeddedMqttBrokerAutoConfiguration.class, SessionStoreAutoConfiguration.class,
					MqttClientAutoConfiguration.class, IntegrationAutoConfiguration.class))
			.withUserConfiguration(EmbeddedMqttBrokerAutoConfigurationTests.InboundQueueConfiguration.class,
					HandshakeRecorder.class)
			.withPropertyValues("mqtt.client.client-id=tls-" + version, "mqtt.client.protocol-version=" + version,
					"mqtt.client.completion-timeout=5s", "mqtt.client.quiescent-timeout=0s",
					"spring.integration.endpoint.default-timeout=1s", "mqtt.inbound.topics[0].filter=tls/#",
					"mqtt.broker.embedded.enabled=true", "mqtt.broker.embedded.port=0",
					"mqtt.broker.embedded.ssl.port=0", "mqtt.broker.embedded.persistence=in-memory",
					"mqtt.broker.embedded.data-directory=" + this.dataDirectory,
					// The broker's key and certificate chain as PEM files
					"spring.ssl.bundle.pem.broker.keystore.certificate=" + fileUrl("localhost.pem"),
					"spring.ssl.bundle.pem.broker.keystore.private-key=" + fileUrl("localhost-key.pem"),
					"spring.ssl.bundle.pem.client.truststore.certificate=" + fileUrl("ca.pem"));
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aMessageRoundTripsOverTlsThroughTheBundles(String version) {
		runner(version).withPropertyValues("mqtt.broker.embedded.ssl.bundle=broker", "mqtt.client.ssl.bundle=client")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				EmbeddedMqttBroker broker = context.getBean(EmbeddedMqttBroker.class);
				assertThat(broker.getSslPort()).isPositive().isNotEqualTo(broker.getPort());
				assertThat(broker.sslUrl()).isEqualTo("ssl://127.0.0.1:" + broker.getSslPort());
				assertThat(this.dataDirectory.resolve("conf/config.xml")).content()
					.contains("<tls-tcp-listener>", "<port>" + broker.getSslPort() + "</port>", "tls-keystore.p12");
				assertThat(context.getBean(MqttClientSettings.class).urls).containsExactly(broker.sslUrl());
				roundTrip(context);
				awaitHandshake(context);
				assertThat(context.getBean(HandshakeRecorder.class).handshakes)
					.allSatisfy((handshake) -> assertThat(handshake.getSession().getProtocol()).isEqualTo("TLSv1.3"));
			});
	}

	@Test
	void theProtocolsAndCiphersOfTheBundlesReachTheSockets() {
		String cipher = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
		runner("3.1.1")
			.withPropertyValues("mqtt.broker.embedded.ssl.bundle=broker-jks", "mqtt.client.ssl.bundle=client",
					// The broker's key store as keytool wrote it, with the authority's
					// certificate beside the key
					"spring.ssl.bundle.jks.broker-jks.keystore.location=" + fileUrl("localhost.p12"),
					"spring.ssl.bundle.jks.broker-jks.keystore.password=" + TestCertificates.PASSWORD,
					"spring.ssl.bundle.jks.broker-jks.options.enabled-protocols=TLSv1.2,TLSv1.3",
					"spring.ssl.bundle.pem.client.options.enabled-protocols=TLSv1.2",
					"spring.ssl.bundle.pem.client.options.ciphers=" + cipher)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(this.dataDirectory.resolve("conf/config.xml")).content()
					.contains("<protocol>TLSv1.2</protocol>", "<protocol>TLSv1.3</protocol>");
				roundTrip(context);
				awaitHandshake(context);
				assertThat(context.getBean(HandshakeRecorder.class).handshakes).allSatisfy((handshake) -> {
					assertThat(handshake.getSession().getProtocol()).isEqualTo("TLSv1.2");
					assertThat(handshake.getCipherSuite()).isEqualTo(cipher);
				});
			});
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aBundleThatDoesNotTrustTheBrokersCertificateFailsTheConnectSayingSo(String version) {
		runner(version)
			.withPropertyValues("mqtt.broker.embedded.ssl.bundle=broker", "mqtt.client.ssl.bundle=stranger",
					"spring.ssl.bundle.pem.stranger.truststore.certificate=" + unrelatedAuthority.toUri())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ConnectFailure failure = awaitConnectFailure(context);
				assertThat(failure.url()).isEqualTo(context.getBean(EmbeddedMqttBroker.class).sslUrl());
				assertThat(failure.cause()).startsWith("TLS failure: ")
					.contains("unable to find valid certification path")
					.contains("does not trust the broker's certificate", "mqtt.client.ssl.bundle");
			});
	}

	@Test
	void anSslUrlWithoutABundleUsesTheJvmsDefaultTrust() {
		runner("3.1.1").withPropertyValues("mqtt.broker.embedded.ssl.bundle=broker").run((context) -> {
			assertThat(context).hasNotFailed();
			EmbeddedMqttBroker broker = context.getBean(EmbeddedMqttBroker.class);
			// Without a client bundle the client keeps to the plain listener
			assertThat(context.getBean(MqttClientSettings.class).urls).containsExactly(broker.url());
		});
		int port = FreePort.find();
		runner("3.1.1")
			.withPropertyValues("mqtt.broker.embedded.ssl.bundle=broker", "mqtt.broker.embedded.ssl.port=" + port,
					"mqtt.client.url=ssl://127.0.0.1:" + port)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// The test's authority is not in the JVM's trust store
				assertThat(awaitConnectFailure(context).cause()).startsWith("TLS failure: ")
					.contains("unable to find valid certification path", "the JVM's default trust store");
			});
	}

	@Test
	void aBrokerCertificateForAnotherHostFailsTheConnect() {
		runner("5")
			.withPropertyValues("mqtt.broker.embedded.ssl.bundle=elsewhere", "mqtt.client.ssl.bundle=client",
					"spring.ssl.bundle.pem.elsewhere.keystore.certificate=" + fileUrl("elsewhere.pem"),
					"spring.ssl.bundle.pem.elsewhere.keystore.private-key=" + fileUrl("elsewhere-key.pem"))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(awaitConnectFailure(context).cause()).startsWith("TLS failure: ")
					.contains("127.0.0.1")
					.contains("does not name the host of the broker URL");
			});
	}

	@Test
	void aBrokerBundleThatIsMissingOrHasNoKeyFailsAtStartUpNamingTheProperty() {
		runner("3.1.1").withPropertyValues("mqtt.broker.embedded.ssl.bundle=nowhere").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("mqtt.broker.embedded.ssl.bundle")
				.hasMessageContaining("nowhere")
				.hasMessageContaining("the configured bundles are [")
				.hasMessageContaining("broker")
				.hasMessageContaining("client");
		});
		runner("3.1.1").withPropertyValues("mqtt.broker.embedded.ssl.bundle=client").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("mqtt.broker.embedded.ssl.bundle")
				.hasMessageContaining("has no key store")
				.hasMessageContaining("spring.ssl.bundle.pem.client.keystore.certificate");
		});
	}

	private static void roundTrip(AssertableApplicationContext context) {
		@SuppressWarnings("unchecked")
		BlockingQueue<MqttSubscribedEvent> subscribed = context.getBean("subscribedEvents", BlockingQueue.class);
		await().atMost(TIMEOUT).until(() -> !subscribed.isEmpty());
		context.getBean("mqttOutboundChannel", MessageChannel.class)
			.send(MessageBuilder.withPayload("sealed").setHeader(MqttHeaders.TOPIC, "tls/door").build());
		Message<?> received = context.getBean("mqttInboundChannel", QueueChannel.class).receive(TIMEOUT.toMillis());
		assertThat(received).isNotNull();
		// MQTT 5's inbound adapter leaves the payload as bytes
		Object payload = received.getPayload();
		assertThat((payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : payload)
			.isEqualTo("sealed");
	}

	/** The JDK reports a completed handshake on a thread of its own. */
	private static void awaitHandshake(AssertableApplicationContext context) {
		await().atMost(TIMEOUT).until(() -> !context.getBean(HandshakeRecorder.class).handshakes.isEmpty());
	}

	private static ConnectFailure awaitConnectFailure(AssertableApplicationContext context) {
		SessionClientManager manager = context.getBean(SessionClientManager.class);
		await().atMost(TIMEOUT).until(() -> manager.lastConnectFailure() != null);
		return manager.lastConnectFailure();
	}

	private static String fileUrl(String fileName) {
		return certificates.file(fileName).toUri().toString();
	}

	/**
	 * Records every completed TLS handshake of the client, by wrapping the socket factory
	 * the starter configured, as an application's customizer may.
	 */
	@Configuration(proxyBeanMethods = false)
	static class HandshakeRecorder {

		final Queue<HandshakeCompletedEvent> handshakes = new ConcurrentLinkedQueue<>();

		@Bean
		MqttConnectOptionsCustomizer recordingV3() {
			return (options) -> options.setSocketFactory(recording((SSLSocketFactory) options.getSocketFactory()));
		}

		@Bean
		MqttConnectionOptionsCustomizer recordingV5() {
			return (options) -> options.setSocketFactory(recording((SSLSocketFactory) options.getSocketFactory()));
		}

		private SSLSocketFactory recording(SSLSocketFactory factory) {
			if (factory == null) {
				return null;
			}
			return new SSLSocketFactory() {

				@Override
				public String[] getDefaultCipherSuites() {
					return factory.getDefaultCipherSuites();
				}

				@Override
				public String[] getSupportedCipherSuites() {
					return factory.getSupportedCipherSuites();
				}

				@Override
				public Socket createSocket() throws IOException {
					return record(factory.createSocket());
				}

				@Override
				public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
					return record(factory.createSocket(socket, host, port, autoClose));
				}

				@Override
				public Socket createSocket(String host, int port) throws IOException {
					return record(factory.createSocket(host, port));
				}

				@Override
				public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
						throws IOException {
					return record(factory.createSocket(host, port, localHost, localPort));
				}

				@Override
				public Socket createSocket(InetAddress host, int port) throws IOException {
					return record(factory.createSocket(host, port));
				}

				@Override
				public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
						throws IOException {
					return record(factory.createSocket(address, port, localAddress, localPort));
				}

			};
		}

		private Socket record(Socket socket) {
			((SSLSocket) socket).addHandshakeCompletedListener(this.handshakes::add);
			return socket;
		}

	}

}
