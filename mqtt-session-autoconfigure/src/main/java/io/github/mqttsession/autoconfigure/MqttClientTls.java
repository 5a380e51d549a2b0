package io.github.mqttsession.autoconfigure;

import javax.net.ssl.SSLSocketFactory;

import io.github.mqttsession.integration.SslOptionsSocketFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * The client's TLS: the socket factory of the SSL bundle {@code mqtt.client.ssl.bundle}
 * names, for {@code ssl://} and {@code wss://} URLs. Without a bundle Paho makes its own
 * factory for such URLs, on the JVM's default trust store. Either way Paho verifies that
 * the broker's certificate names the host of the URL, as HTTPS does.
 */
final class MqttClientTls {

	private MqttClientTls() {
	}

	/**
	 * The socket factory of the configured SSL bundle, whose sockets enable only the
	 * protocols and cipher suites the bundle names, when it names some.
	 * @param settings the client's settings
	 * @param sslBundles Boot's bundles
	 * @return the factory, or {@code null} without a bundle
	 */
	static @Nullable SSLSocketFactory socketFactory(MqttClientSettings settings,
			ObjectProvider<SslBundles> sslBundles) {
		String name = settings.client.getSsl().getBundle();
		if (name == null) {
			return null;
		}
		for (int i = 0; i < settings.urls.size(); i++) {
			String url = settings.urls.get(i);
			if (!url.startsWith("ssl://") && !url.startsWith("wss://")) {
				// Paho would open a plain connection on such a URL and never use the
				// bundle
				throw settings.connection.invalid("mqtt.client.url[" + i + "]", "getUrls()[" + i + "]", url,
						"mqtt.client.ssl.bundle is set (to '" + name
								+ "'), so the broker URL must use ssl:// or wss://; remove mqtt.client.ssl.bundle"
								+ " to connect without TLS.");
			}
		}
		SslBundle bundle = SslBundleLookup.get(sslBundles, "mqtt.client.ssl.bundle", name);
		SSLSocketFactory factory = bundle.createSslContext().getSocketFactory();
		if (!bundle.getOptions().isSpecified()) {
			return factory;
		}
		return new SslOptionsSocketFactory(factory, SslBundleLookup.protocols(bundle), SslBundleLookup.ciphers(bundle));
	}

}
