package io.github.mqttsession.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.service.connection.ConnectionDetails;

/**
 * Details of the connection to an MQTT broker: where it is and who connects. By default
 * they are read from the {@code mqtt.client.*} properties; a bean of this type of the
 * application's own, or one a {@code ConnectionDetailsFactory} makes for a container,
 * replaces them. The client checks what it gives at start-up as it checks the properties.
 */
public interface MqttConnectionDetails extends ConnectionDetails {

	/**
	 * The broker URLs, tried in order: {@code tcp://host:1883}, {@code ssl://host:8883},
	 * {@code ws://}, {@code wss://}.
	 * @return at least one URL
	 */
	List<String> getUrls();

	/**
	 * The user name to connect with.
	 * @return the user name, or {@code null} for none
	 */
	default @Nullable String getUsername() {
		return null;
	}

	/**
	 * The password to connect with.
	 * @return the password, or {@code null} for none
	 */
	default @Nullable String getPassword() {
		return null;
	}

}
