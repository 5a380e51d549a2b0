package io.github.mqttsession.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The {@link MqttConnectionDetails} of the {@code mqtt.client.*} properties; without
 * {@code mqtt.client.url}, the embedded broker's URL when it runs.
 */
class PropertiesMqttConnectionDetails implements MqttConnectionDetails {

	private final MqttClientProperties properties;

	private final @Nullable String embeddedBrokerUrl;

	PropertiesMqttConnectionDetails(MqttClientProperties properties, @Nullable String embeddedBrokerUrl) {
		this.properties = properties;
		this.embeddedBrokerUrl = embeddedBrokerUrl;
	}

	@Override
	public List<String> getUrls() {
		List<String> urls = this.properties.getUrl();
		if ((urls == null || urls.isEmpty()) && this.embeddedBrokerUrl != null) {
			return List.of(this.embeddedBrokerUrl);
		}
		return (urls != null) ? urls : List.of();
	}

	@Override
	public @Nullable String getUsername() {
		return this.properties.getUsername();
	}

	@Override
	public @Nullable String getPassword() {
		return this.properties.getPassword();
	}

}
