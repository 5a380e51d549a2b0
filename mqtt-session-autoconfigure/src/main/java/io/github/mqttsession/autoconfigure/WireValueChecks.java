package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreLimits;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Start-up checks of the configured values that reach the wire, beyond the names
 * {@link MqttClientSettings} and the credentials {@link MqttConnection} checks: the
 * numbers and binary data MQTT encodes with a fixed size, and the limits of the session
 * store.
 */
final class WireValueChecks {

	private WireValueChecks() {
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
