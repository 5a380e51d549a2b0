package io.github.mqttsession.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;

/**
 * Finds the SSL bundle a property names, and fails naming the property, the bundle and
 * the bundles there are when it does not exist; reads the options of a bundle.
 */
final class SslBundleLookup {

	private SslBundleLookup() {
	}

	/**
	 * The bundle of the given name.
	 * @param sslBundles Boot's bundles, absent without its SSL auto-configuration
	 * @param property the property that names the bundle
	 * @param name the bundle's name
	 * @return the bundle
	 * @throws InvalidConfigurationPropertyValueException when there is no such bundle
	 */
	static SslBundle get(ObjectProvider<SslBundles> sslBundles, String property, String name) {
		SslBundles bundles = sslBundles.getIfAvailable();
		List<String> known = (bundles != null) ? bundles.getBundleNames() : List.of();
		if (bundles != null) {
			try {
				return bundles.getBundle(name);
			}
			catch (NoSuchSslBundleException ex) {
				// reported below, with the bundles there are
			}
		}
		throw new InvalidConfigurationPropertyValueException(property, name,
				"No SSL bundle of that name is configured ("
						+ (known.isEmpty() ? "there is none" : "the configured bundles are " + known)
						+ "); define it under spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks." + name
						+ ".");
	}

	/**
	 * The TLS protocols the bundle enables.
	 * @param bundle the bundle
	 * @return the protocols, empty when the bundle leaves them to the JDK
	 */
	static List<String> protocols(SslBundle bundle) {
		return list(bundle.getOptions().getEnabledProtocols());
	}

	/**
	 * The cipher suites the bundle enables.
	 * @param bundle the bundle
	 * @return the cipher suites, empty when the bundle leaves them to the JDK
	 */
	static List<String> ciphers(SslBundle bundle) {
		return list(bundle.getOptions().getCiphers());
	}

	private static List<String> list(String @Nullable [] values) {
		return (values != null) ? List.of(values) : List.of();
	}

}
