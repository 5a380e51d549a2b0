package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the MQTT client, under {@code mqtt.client}.
 */
@ConfigurationProperties("mqtt.client")
public class MqttClientProperties {

	/**
	 * Whether to create the MQTT client, its inbound adapter and outbound handler.
	 */
	private boolean enabled = true;

	/**
	 * Broker URL, or several tried in order: tcp://host:1883, ssl://host:8883, ws://,
	 * wss://. Required unless the embedded broker is enabled or an MqttConnectionDetails
	 * bean gives the URL.
	 */
	private List<String> url = new ArrayList<>();

	/**
	 * Client id the session is stored under. Defaults to spring.application.name;
	 * required with clean-session=false. Give each replica its own.
	 */
	private String clientId;

	/**
	 * Whether to start a clean session on every connect (clean start on MQTT 5), which
	 * also deletes the stored session. false keeps the session, which is the point of
	 * this starter.
	 */
	private boolean cleanSession = false;

	/**
	 * MQTT protocol version: 3.1.1 (alias 4, its protocol level) or 5.
	 */
	private String protocolVersion = "3.1.1";

	/**
	 * User name to connect with, unless an MqttConnectionDetails bean gives the
	 * credentials.
	 */
	private String username;

	/**
	 * Password to connect with.
	 */
	private String password;

	/**
	 * Keep-alive interval: the longest silence before the client pings the broker.
	 */
	private Duration keepAlive = Duration.ofSeconds(60);

	/**
	 * How long to wait for a connection to the broker to be established.
	 */
	private Duration connectionTimeout = Duration.ofSeconds(30);

	/**
	 * Whether to reconnect automatically after the connection is lost or the first
	 * connect fails.
	 */
	private boolean automaticReconnect = true;

	/**
	 * First delay between reconnect attempts (MQTT 5; MQTT 3.1.1 clients always start at
	 * 1 second), doubled per attempt up to max-reconnect-delay.
	 */
	private Duration minReconnectDelay = Duration.ofSeconds(1);

	/**
	 * Longest delay between reconnect attempts.
	 */
	private Duration maxReconnectDelay = Duration.ofSeconds(128);

	/**
	 * Most QoS 1 and 2 messages in flight (sent and not yet acknowledged) at once on MQTT
	 * 3.1.1, 4..65535; a send waits for room. On MQTT 5 the broker's Receive Maximum sets
	 * the window instead.
	 */
	private int maxInflight = 10;

	/**
	 * How long to wait for a connect, subscribe or unsubscribe to complete.
	 */
	private Duration completionTimeout = Duration.ofSeconds(30);

	/**
	 * How long to wait for a disconnect to complete when the client stops.
	 */
	private Duration disconnectTimeout = Duration.ofSeconds(5);

	/**
	 * How long to let work in progress finish before disconnecting when the client stops.
	 */
	private Duration quiescentTimeout = Duration.ofSeconds(30);

	/**
	 * How long the broker keeps the session after the client disconnects (MQTT 5). Zero
	 * ends the session at disconnect.
	 */
	private Duration sessionExpiryInterval = Duration.ofDays(1);

	private final Will will = new Will();

	private final Ssl ssl = new Ssl();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<String> getUrl() {
		return this.url;
	}

	public void setUrl(List<String> url) {
		this.url = url;
	}

	public String getClientId() {
		return this.clientId;
	}

	public void setClientId(String clientId) {
		this.clientId = clientId;
	}

	public boolean isCleanSession() {
		return this.cleanSession;
	}

	public void setCleanSession(boolean cleanSession) {
		this.cleanSession = cleanSession;
	}

	public String getProtocolVersion() {
		return this.protocolVersion;
	}

	public void setProtocolVersion(String protocolVersion) {
		this.protocolVersion = protocolVersion;
	}

	public String getUsername() {
		return this.username;
	}

	public void setUsername(String username) {
		this.username = username;
	}

	public String getPassword() {
		return this.password;
	}

	public void setPassword(String password) {
		this.password = password;
	}

	public Duration getKeepAlive() {
		return this.keepAlive;
	}

	public void setKeepAlive(Duration keepAlive) {
		this.keepAlive = keepAlive;
	}

	public Duration getConnectionTimeout() {
		return this.connectionTimeout;
	}

	public void setConnectionTimeout(Duration connectionTimeout) {
		this.connectionTimeout = connectionTimeout;
	}

	public boolean isAutomaticReconnect() {
		return this.automaticReconnect;
	}

	public void setAutomaticReconnect(boolean automaticReconnect) {
		this.automaticReconnect = automaticReconnect;
	}

	public Duration getMinReconnectDelay() {
		return this.minReconnectDelay;
	}

	public void setMinReconnectDelay(Duration minReconnectDelay) {
		this.minReconnectDelay = minReconnectDelay;
	}

	public Duration getMaxReconnectDelay() {
		return this.maxReconnectDelay;
	}

	public void setMaxReconnectDelay(Duration maxReconnectDelay) {
		this.maxReconnectDelay = maxReconnectDelay;
	}

	public int getMaxInflight() {
		return this.maxInflight;
	}

	public void setMaxInflight(int maxInflight) {
		this.maxInflight = maxInflight;
	}

	public Duration getCompletionTimeout() {
		return this.completionTimeout;
	}

	public void setCompletionTimeout(Duration completionTimeout) {
		this.completionTimeout = completionTimeout;
	}

	public Duration getDisconnectTimeout() {
		return this.disconnectTimeout;
	}

	public void setDisconnectTimeout(Duration disconnectTimeout) {
		this.disconnectTimeout = disconnectTimeout;
	}

	public Duration getQuiescentTimeout() {
		return this.quiescentTimeout;
	}

	public void setQuiescentTimeout(Duration quiescentTimeout) {
		this.quiescentTimeout = quiescentTimeout;
	}

	public Duration getSessionExpiryInterval() {
		return this.sessionExpiryInterval;
	}

	public void setSessionExpiryInterval(Duration sessionExpiryInterval) {
		this.sessionExpiryInterval = sessionExpiryInterval;
	}

	public Will getWill() {
		return this.will;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	/**
	 * The last will the broker publishes when the client goes away without disconnecting.
	 */
	public static class Will {

		/**
		 * Topic of the last will; no will when unset.
		 */
		private String topic;

		/**
		 * Payload of the last will, as UTF-8 text.
		 */
		private String payload = "";

		/**
		 * QoS of the last will.
		 */
		private int qos = 1;

		/**
		 * Whether the broker retains the last will.
		 */
		private boolean retained = false;

		public String getTopic() {
			return this.topic;
		}

		public void setTopic(String topic) {
			this.topic = topic;
		}

		public String getPayload() {
			return this.payload;
		}

		public void setPayload(String payload) {
			this.payload = payload;
		}

		public int getQos() {
			return this.qos;
		}

		public void setQos(int qos) {
			this.qos = qos;
		}

		public boolean isRetained() {
			return this.retained;
		}

		public void setRetained(boolean retained) {
			this.retained = retained;
		}

	}

	/** TLS settings. */
	public static class Ssl {

		/**
		 * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) that gives the trust and
		 * key material, and the TLS protocols and ciphers to enable; use ssl:// or wss://
		 * URLs with it. Without it, ssl:// URLs use the JVM's default trust store.
		 */
		private String bundle;

		public String getBundle() {
			return this.bundle;
		}

		public void setBundle(String bundle) {
			this.bundle = bundle;
		}

	}

}
