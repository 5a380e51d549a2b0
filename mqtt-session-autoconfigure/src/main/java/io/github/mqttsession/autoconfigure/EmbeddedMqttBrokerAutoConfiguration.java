package io.github.mqttsession.autoconfigure;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.github.mqttsession.broker.EmbeddedMqttBroker;

import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.core.ClientManager;

/**
 * Auto-configuration of an {@link EmbeddedMqttBroker} for development, when HiveMQ CE's
 * embedded edition is on the class path and {@code mqtt.broker.embedded.enabled} is
 * {@code true}: the broker starts before any MQTT client connects, stops after every
 * client has disconnected, and is the client's broker unless {@code mqtt.client.url} is
 * set.
 */
@AutoConfiguration(before = MqttClientAutoConfiguration.class)
@ConditionalOnClass(EmbeddedHiveMQ.class)
@ConditionalOnBooleanProperty("mqtt.broker.embedded.enabled")
@EnableConfigurationProperties(EmbeddedMqttBrokerProperties.class)
public final class EmbeddedMqttBrokerAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	EmbeddedMqttBroker embeddedMqttBroker(EmbeddedMqttBrokerProperties properties) {
		EmbeddedMqttBroker broker = create(properties);
		// Started here rather than as a lifecycle bean, so it runs before any bean or
		// lifecycle phase can connect
		try {
			broker.start();
		}
		catch (IllegalStateException ex) {
			throw new MqttSessionConfigurationException(ex.getMessage(), "Make sure nothing else listens on port "
					+ broker.getPort() + " and that " + properties.getHost() + " is an address of this machine, or set"
					+ " mqtt.broker.embedded.port to another port (0 picks a free one); to use a broker of your own"
					+ " instead, set mqtt.client.url to it and mqtt.broker.embedded.enabled=false.", ex);
		}
		catch (UncheckedIOException ex) {
			throw new MqttSessionConfigurationException(ex.getMessage(), "Set mqtt.broker.embedded.data-directory to"
					+ " a directory the application may create and write to.", ex);
		}
		return broker;
	}

	private static EmbeddedMqttBroker create(EmbeddedMqttBrokerProperties properties) {
		int port = properties.getPort();
		if (port < 0 || port > 65_535) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.port", port,
					"A port is 1..65535, or 0 to pick a free one at start-up.");
		}
		String host = properties.getHost();
		if (!isAddress(host)) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.host", host,
					"It must be an address of this machine, such as 127.0.0.1, or 0.0.0.0 for every interface.");
		}
		if (properties.getDataDirectory() == null || properties.getDataDirectory().isBlank()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.data-directory",
					properties.getDataDirectory(), "It must name a directory, such as mqtt-broker.");
		}
		return new EmbeddedMqttBroker(host, port, Path.of(properties.getDataDirectory()), properties.getPersistence());
	}

	private static boolean isAddress(String host) {
		if (host == null || host.isBlank()) {
			return false;
		}
		try {
			InetAddress.getByName(host.trim());
			return true;
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ClientManager.class)
	static class ClientManagerDependencyConfiguration {

		@Bean
		static ClientManagersDependOnEmbeddedMqttBroker clientManagersDependOnEmbeddedMqttBroker() {
			return new ClientManagersDependOnEmbeddedMqttBroker();
		}

	}

	/**
	 * Makes every MQTT client manager, the starter's and the application's own, depend on
	 * the embedded broker: the broker is created first and destroyed last.
	 */
	static final class ClientManagersDependOnEmbeddedMqttBroker extends AbstractDependsOnBeanFactoryPostProcessor {

		ClientManagersDependOnEmbeddedMqttBroker() {
			super(ClientManager.class, EmbeddedMqttBroker.class);
		}

	}

}
