package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the outbound handler, under {@code mqtt.outbound}.
 */
@ConfigurationProperties("mqtt.outbound")
public class MqttOutboundProperties {

	/**
	 * Whether to create the outbound handler.
	 */
	private boolean enabled = true;

	/**
	 * Name of the channel whose messages are published. A DirectChannel of that name is
	 * defined unless the application defines a channel of that name itself.
	 */
	private String channel = "mqttOutboundChannel";

	/**
	 * Topic of messages without an mqtt_topic header.
	 */
	private String defaultTopic;

	/**
	 * QoS of messages without an mqtt_qos header.
	 */
	private int defaultQos = 1;

	/**
	 * Retain flag of messages without an mqtt_retained header.
	 */
	private boolean defaultRetained = false;

	/**
	 * How long a send may wait for room in the client's in-flight window
	 * (mqtt.client.max-inflight on MQTT 3.1.1, the broker's Receive Maximum on MQTT 5)
	 * before it fails; 0 fails at once when the window is full.
	 */
	private Duration sendTimeout = Duration.ofSeconds(30);

	/**
	 * How long a QoS 1 message may wait for the broker's acknowledgement before the
	 * session store commits it: one acknowledged in that time is never written, and its
	 * send returns with the acknowledgement. One that is not is committed once this long
	 * passed, and its send returns then. Messages wait only while the broker has been
	 * acknowledging sooner than the store commits. 0 commits every message as soon as the
	 * store is free. Must be shorter than the send timeout. Applies to the JPA store
	 * (stores that gather writes). When not set, 10 ms, or half the send timeout when
	 * that is shorter than 20 ms.
	 */
	private @Nullable Duration writeDelay;

	/**
	 * MQTT 5: message expiry interval of messages without an mqtt_messageExpiryInterval
	 * header, in whole seconds. The broker drops such a message once it is older, and so
	 * does the client while the message waits in its offline buffer. Unset: messages
	 * without the header never expire.
	 */
	private Duration messageExpiryInterval;

	/**
	 * How long a message published while the broker is unreachable may wait to be sent,
	 * counted from when it was buffered, across restarts; past it, it is dropped unsent
	 * with a warning. On MQTT 5 it applies to messages without a message expiry interval.
	 * Unset: buffered messages wait until they are sent.
	 */
	private Duration offlineMessageTtl;

	/**
	 * Whether a send made inside a Spring-managed transaction on the session store's
	 * DataSource follows that transaction: the message is written in it and published
	 * after the commit, and nothing is published if it rolls back. Needs the JPA session
	 * store.
	 */
	private boolean transactional = false;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getChannel() {
		return this.channel;
	}

	public void setChannel(String channel) {
		this.channel = channel;
	}

	public String getDefaultTopic() {
		return this.defaultTopic;
	}

	public void setDefaultTopic(String defaultTopic) {
		this.defaultTopic = defaultTopic;
	}

	public int getDefaultQos() {
		return this.defaultQos;
	}

	public void setDefaultQos(int defaultQos) {
		this.defaultQos = defaultQos;
	}

	public boolean isDefaultRetained() {
		return this.defaultRetained;
	}

	public void setDefaultRetained(boolean defaultRetained) {
		this.defaultRetained = defaultRetained;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

	public @Nullable Duration getWriteDelay() {
		return this.writeDelay;
	}

	public void setWriteDelay(@Nullable Duration writeDelay) {
		this.writeDelay = writeDelay;
	}

	public Duration getMessageExpiryInterval() {
		return this.messageExpiryInterval;
	}

	public void setMessageExpiryInterval(Duration messageExpiryInterval) {
		this.messageExpiryInterval = messageExpiryInterval;
	}

	public Duration getOfflineMessageTtl() {
		return this.offlineMessageTtl;
	}

	public void setOfflineMessageTtl(Duration offlineMessageTtl) {
		this.offlineMessageTtl = offlineMessageTtl;
	}

	public boolean isTransactional() {
		return this.transactional;
	}

	public void setTransactional(boolean transactional) {
		this.transactional = transactional;
	}

}
