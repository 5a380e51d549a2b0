package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the {@code mqttSession} health indicator, under
 * {@code management.health.mqttsession} beside Spring Boot's own
 * {@code management.health.mqttsession.enabled}.
 */
@ConfigurationProperties("management.health.mqttsession")
public class MqttSessionHealthProperties {

	/**
	 * How long a health check waits for the session store to answer before it reports the
	 * store unreachable. The question goes on in the background, and checks meanwhile
	 * wait for its answer instead of asking again.
	 */
	private Duration storeTimeout = Duration.ofSeconds(2);

	public Duration getStoreTimeout() {
		return this.storeTimeout;
	}

	public void setStoreTimeout(Duration storeTimeout) {
		this.storeTimeout = storeTimeout;
	}

}
