package io.github.mqttsession.autoconfigure;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.github.mqttsession.store.MqttNames;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The broker URLs and credentials the client connects with, taken from the
 * {@link MqttConnectionDetails} and checked once at start-up. A bad value fails naming
 * where it came from: the property, for the {@code mqtt.client.*} properties, or the
 * application's bean and its method.
 */
final class MqttConnection {

	private static final Set<String> SCHEMES = Set.of("tcp", "ssl", "ws", "wss");

	/** Masks a password in a start-up report, which must not print it. */
	private static final String MASKED = "******";

	final List<String> urls;

	final @Nullable String username;

	final @Nullable String password;

	/** The name of the application's details bean; absent for the properties. */
	private final @Nullable String beanName;

	private final String detailsType;

	private MqttConnection(MqttConnectionDetails details, String beanName, boolean mqtt5) {
		this.beanName = (details instanceof PropertiesMqttConnectionDetails) ? null : beanName;
		this.detailsType = details.getClass().getName();
		this.urls = checkUrls(details.getUrls());
		this.username = details.getUsername();
		this.password = details.getPassword();
		checkCredentials(mqtt5);
	}

	/**
	 * Reads and checks the details.
	 * @param details the connection details
	 * @param beanName the name of the details bean
	 * @param mqtt5 whether the client speaks MQTT 5
	 * @return the checked connection
	 */
	static MqttConnection of(MqttConnectionDetails details, String beanName, boolean mqtt5) {
		return new MqttConnection(details, beanName, mqtt5);
	}

	/**
	 * A value that is not valid, reported against its property or the details bean.
	 * @param property the property it would have been set by
	 * @param method the method of {@link MqttConnectionDetails} that gave it, with an
	 * index into a list where there is one
	 * @param value the value, masked where it is secret
	 * @param reason what is valid
	 * @return the exception to throw
	 */
	RuntimeException invalid(String property, String method, Object value, String reason) {
		if (this.beanName == null) {
			return new InvalidConfigurationPropertyValueException(property, value, reason);
		}
		return new MqttSessionConfigurationException(
				describeBean() + " gives " + method + " = '" + value + "', which is not valid: " + reason,
				"Change what the bean's " + method + " returns, or remove the bean to connect as the mqtt.client.*"
						+ " properties say.",
				null);
	}

	private String describeBean() {
		return "The MqttConnectionDetails bean '" + this.beanName + "' (" + this.detailsType + ")";
	}

	private List<String> checkUrls(@Nullable List<String> urls) {
		if (urls == null || urls.isEmpty()) {
			if (this.beanName != null) {
				throw new MqttSessionConfigurationException(describeBean() + " gives no broker URL.",
						"Make the bean's getUrls() return the broker's URL, such as tcp://localhost:1883.", null);
			}
			throw new MqttSessionConfigurationException("No MQTT broker is configured: mqtt.client.url is not set.",
					"Set mqtt.client.url to your broker, such as tcp://localhost:1883, or enable the embedded broker"
							+ " for development (mqtt.broker.embedded.enabled=true), or switch the client off with"
							+ " mqtt.client.enabled=false.",
					null);
		}
		for (int i = 0; i < urls.size(); i++) {
			checkUrl(i, urls.get(i));
		}
		return urls.stream().map(String::trim).toList();
	}

	private void checkUrl(int index, @Nullable String url) {
		String property = "mqtt.client.url[" + index + "]";
		String method = "getUrls()[" + index + "]";
		String scheme = null;
		int port = -1;
		try {
			URI uri = URI.create((url != null) ? url.trim() : "");
			scheme = (uri.getScheme() != null && uri.getHost() != null) ? uri.getScheme().toLowerCase(Locale.ROOT)
					: null;
			port = uri.getPort();
		}
		catch (IllegalArgumentException ex) {
			// reported below
		}
		if (scheme == null || !SCHEMES.contains(scheme)) {
			throw invalid(property, method, url,
					"A broker URL has the scheme tcp, ssl, ws or wss and a host, such as tcp://localhost:1883.");
		}
		if (port == 0 || port > 65_535) {
			throw invalid(property, method, url, "The port " + port + " is not a TCP port: it must be 1..65535, or"
					+ " left out for the scheme's default (1883 for tcp, 8883 for ssl).");
		}
	}

	/**
	 * Checks the credentials: the user name is an MQTT string, the password binary data
	 * encoded from the given text (a lone surrogate would be sent as {@code ?}), and MQTT
	 * 3.1.1 sends no password without a user name.
	 */
	private void checkCredentials(boolean mqtt5) {
		String user = this.username;
		if (user != null) {
			try {
				MqttNames.requireValidUtf8("User name", user);
			}
			catch (IllegalArgumentException ex) {
				throw invalid("mqtt.client.username", "getUsername()", user, ex.getMessage());
			}
		}
		String secret = this.password;
		if (secret != null) {
			try {
				MqttNames.requireValidBinaryText("Password", secret);
			}
			catch (IllegalArgumentException ex) {
				int length = MqttNames.utf8Length(secret);
				throw invalid("mqtt.client.password", "getPassword()", MASKED, (length > MqttNames.MAX_UTF8_BYTES)
						? "The password is " + length + " UTF-8 bytes long; MQTT allows at most "
								+ MqttNames.MAX_UTF8_BYTES + " bytes."
						: "The password holds a lone UTF-16 surrogate, which has no UTF-8 encoding (Java would send '?'"
								+ " in its place); it must be well-formed text.");
			}
		}
		if (secret != null && user == null && !mqtt5) {
			if (this.beanName != null) {
				throw new MqttSessionConfigurationException(
						describeBean() + " gives a password but no user name;"
								+ " MQTT 3.1.1 does not allow a password without a user name (MQTT 3.1.1, 3.1.2.9).",
						"Make the bean's getUsername() return a user name as well, or use"
								+ " mqtt.client.protocol-version=5, which allows a password alone.",
						null);
			}
			throw new MqttSessionConfigurationException(
					"mqtt.client.password is set but mqtt.client.username is not; MQTT 3.1.1 does not allow a password"
							+ " without a user name (MQTT 3.1.1, 3.1.2.9).",
					"Set mqtt.client.username as well, remove mqtt.client.password, or use mqtt.client.protocol-version=5,"
							+ " which allows a password alone.",
					null);
		}
	}

}
