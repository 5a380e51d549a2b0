package io.github.mqttsession.autoconfigure;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;

import com.hivemq.embedded.EmbeddedHiveMQ;
import io.github.mqttsession.broker.EmbeddedMqttBroker;
import io.github.mqttsession.broker.TlsListener;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
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
	EmbeddedMqttBroker embeddedMqttBroker(EmbeddedMqttBrokerProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		EmbeddedMqttBroker broker = create(properties, sslBundles);
		// Started here rather than as a lifecycle bean, so it runs before any bean or
		// lifecycle phase can connect
		try {
			broker.start();
		}
		catch (IllegalStateException ex) {
			throw new MqttSessionConfigurationException(ex.getMessage(), "Make sure nothing else listens on port "
					+ broker.getPort() + ((broker.getSslPort() > 0) ? " or " + broker.getSslPort() : "") + " and that "
					+ properties.getHost() + " is an address of this machine, or set"
					+ " mqtt.broker.embedded.port (or mqtt.broker.embedded.ssl.port) to another port (0 picks a free one);"
					+ " to use a broker of your own"
					+ " instead, set mqtt.client.url to it and mqtt.broker.embedded.enabled=false.", ex);
		}
		catch (UncheckedIOException ex) {
			throw new MqttSessionConfigurationException(ex.getMessage(), "Set mqtt.broker.embedded.data-directory to"
					+ " a directory the application may create and write to.", ex);
		}
		return broker;
	}

	private static EmbeddedMqttBroker create(EmbeddedMqttBrokerProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
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
		return new EmbeddedMqttBroker(host, port, Path.of(properties.getDataDirectory()), properties.getPersistence(),
				tlsListener(properties.getSsl(), port, sslBundles));
	}

	/**
	 * The TLS listener of the bundle the properties name: HiveMQ reads a key store file,
	 * so the key and certificates are taken out of the bundle's key store, of whatever
	 * type (PEM files too), for the broker to write into its own.
	 */
	private static @Nullable TlsListener tlsListener(EmbeddedMqttBrokerProperties.Ssl ssl, int port,
			ObjectProvider<SslBundles> sslBundles) {
		String name = ssl.getBundle();
		if (name == null) {
			return null;
		}
		if (ssl.getPort() < 0 || ssl.getPort() > 65_535 || (ssl.getPort() != 0 && ssl.getPort() == port)) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.ssl.port", ssl.getPort(),
					"A port is 1..65535, other than mqtt.broker.embedded.port, or 0 to pick a free one at start-up.");
		}
		SslBundle bundle = SslBundleLookup.get(sslBundles, "mqtt.broker.embedded.ssl.bundle", name);
		KeyStore keyStore = bundle.getStores().getKeyStore();
		if (keyStore == null) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.ssl.bundle", name,
					"The bundle has no key store, and the broker needs its private key and certificate: set"
							+ " spring.ssl.bundle.pem." + name + ".keystore.certificate and .private-key (or"
							+ " spring.ssl.bundle.jks." + name + ".keystore.location).");
		}
		// The password Boot's own key managers open the key with
		String password = (bundle.getKey().getPassword() != null) ? bundle.getKey().getPassword()
				: bundle.getStores().getKeyStorePassword();
		try {
			return TlsListener.fromKeyStore(ssl.getPort(), keyStore, bundle.getKey().getAlias(),
					(password != null) ? password.toCharArray() : null, SslBundleLookup.protocols(bundle),
					SslBundleLookup.ciphers(bundle));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("mqtt.broker.embedded.ssl.bundle", name,
					ex.getMessage() + "; set spring.ssl.bundle.*." + name + ".key.alias (and .key.password) to pick"
							+ " the broker's key.");
		}
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
