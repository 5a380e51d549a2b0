package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreLimits;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Start-up checks of the configured values that reach the wire, beyond the names
 * {@link MqttClientSettings} checks: the numbers and binary data MQTT encodes with a
 * fixed size, and the limits of the session store.
 */
final class WireValueChecks {

	private WireValueChecks() {
	}

	/**
	 * Checks the credentials: the user name is an MQTT string, the password binary data
	 * encoded from the configured text (a lone surrogate would be sent as {@code ?}), and
	 * MQTT 3.1.1 sends no password without a user name.
	 */
	static void checkCredentials(MqttClientProperties client, boolean mqtt5) {
		if (client.getUsername() != null) {
			try {
				MqttNames.requireValidUtf8("User name", client.getUsername());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.client.username", client.getUsername(),
						ex.getMessage());
			}
		}
		if (client.getPassword() != null) {
			try {
				MqttNames.requireValidBinaryText("Password", client.getPassword());
			}
			catch (IllegalArgumentException ex) {
				// The value is masked: a start-up report must not print a password
				int length = MqttNames.utf8Length(client.getPassword());
				throw new InvalidConfigurationPropertyValueException("mqtt.client.password", "******",
						(length > MqttNames.MAX_UTF8_BYTES)
								? "The password is " + length + " UTF-8 bytes long; MQTT allows at most "
										+ MqttNames.MAX_UTF8_BYTES + " bytes."
								: "The password holds a lone UTF-16 surrogate, which has no UTF-8 encoding (Java would"
										+ " send '?' in its place); it must be well-formed text.");
			}
		}
		if (client.getPassword() != null && client.getUsername() == null && !mqtt5) {
			throw new MqttSessionConfigurationException(
					"mqtt.client.password is set but mqtt.client.username is not; MQTT 3.1.1 does not allow a password"
							+ " without a user name (MQTT 3.1.1, 3.1.2.9).",
					"Set mqtt.client.username as well, remove mqtt.client.password, or use mqtt.client.protocol-version=5,"
							+ " which allows a password alone.",
					null);
		}
	}

	/**
	 * Checks the values that reach the wire that no other check covers: MQTT encodes the
	 * keep alive in two bytes (a larger value would be sent cut short), and the will
	 * payload as binary data with a two-byte length, encoded from the configured text in
	 * UTF-8 (a lone surrogate would be sent as {@code ?}).
	 */
	static void checkClient(MqttClientProperties client) {
		if (client.getKeepAlive() != null && client.getKeepAlive().toSeconds() > 65_535) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.keep-alive", client.getKeepAlive(),
					"MQTT sends the keep alive as a two-byte number of seconds: at most 65535s (about 18 hours);"
							+ " 0 switches it off.");
		}
		MqttClientProperties.Will will = client.getWill();
		if (will.getTopic() != null) {
			try {
				MqttNames.requireValidBinaryText("Will payload", will.getPayload());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.client.will.payload", will.getPayload(),
						ex.getMessage());
			}
		}
	}

	/**
	 * Checks the client id and the configured topic filters against the limits of the
	 * session store, when it states any ({@link SessionStoreLimits}), so that a value the
	 * store would refuse fails at start-up rather than on the first write after
	 * connecting.
	 * @param settings the resolved settings
	 * @param store the session store
	 */
	static void checkStoreLimits(MqttClientSettings settings, SessionStore store) {
		SessionStoreLimits limits = store.feature(SessionStoreLimits.class).orElse(null);
		if (limits == null) {
			return;
		}
		int clientIdBytes = MqttNames.utf8Length(settings.clientId);
		if (clientIdBytes > limits.maxClientIdBytes()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.client-id", settings.clientId,
					"The client id is " + clientIdBytes + " UTF-8 bytes long; the session store ("
							+ store.getClass().getSimpleName() + ") accepts at most " + limits.maxClientIdBytes()
							+ " bytes.");
		}
		for (int i = 0; i < settings.inbound.getTopics().size(); i++) {
			String filter = settings.inbound.getTopics().get(i).getFilter();
			int filterBytes = MqttNames.utf8Length(filter);
			if (filterBytes > limits.maxTopicFilterBytes()) {
				throw new InvalidConfigurationPropertyValueException("mqtt.inbound.topics[" + i + "].filter", filter,
						"The topic filter is " + filterBytes + " UTF-8 bytes long; the session store ("
								+ store.getClass().getSimpleName() + ") accepts at most " + limits.maxTopicFilterBytes()
								+ " bytes.");
			}
		}
	}

}
