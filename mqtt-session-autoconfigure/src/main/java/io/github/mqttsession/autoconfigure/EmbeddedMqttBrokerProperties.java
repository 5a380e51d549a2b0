package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.broker.EmbeddedMqttBroker;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the embedded MQTT broker for development, under
 * {@code mqtt.broker.embedded}.
 */
@ConfigurationProperties("mqtt.broker.embedded")
public class EmbeddedMqttBrokerProperties {

	/**
	 * Whether to start an MQTT broker (HiveMQ CE) inside the application, for
	 * development; needs com.hivemq:hivemq-community-edition-embedded on the class path.
	 * The client connects to it unless mqtt.client.url is set.
	 */
	private boolean enabled = false;

	/**
	 * TCP port the embedded broker listens on; 0 picks a free port at start-up.
	 */
	private int port = 1883;

	/**
	 * Address the embedded broker listens on; 0.0.0.0 accepts connections from other
	 * machines, without authentication.
	 */
	private String host = "127.0.0.1";

	/**
	 * Directory of the embedded broker's configuration and data, relative to the working
	 * directory unless absolute.
	 */
	private String dataDirectory = "mqtt-broker";

	/**
	 * How the embedded broker keeps sessions and queued messages: 'file' in the data
	 * directory, so that they survive a restart of the broker, or 'in-memory'.
	 */
	private EmbeddedMqttBroker.Persistence persistence = EmbeddedMqttBroker.Persistence.FILE;

	private final Ssl ssl = new Ssl();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public String getDataDirectory() {
		return this.dataDirectory;
	}

	public void setDataDirectory(String dataDirectory) {
		this.dataDirectory = dataDirectory;
	}

	public EmbeddedMqttBroker.Persistence getPersistence() {
		return this.persistence;
	}

	public void setPersistence(EmbeddedMqttBroker.Persistence persistence) {
		this.persistence = persistence;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	/** The embedded broker's TLS listener. */
	public static class Ssl {

		/**
		 * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose key store holds
		 * the broker's private key and certificate; setting it opens a TLS listener
		 * beside the TCP one, which the client connects to when mqtt.client.ssl.bundle is
		 * set and mqtt.client.url is not.
		 */
		private String bundle;

		/**
		 * TCP port of the TLS listener; 0 picks a free port at start-up.
		 */
		private int port = 8883;

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

	}

}
