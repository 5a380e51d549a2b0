package io.github.mqttsession.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.github.mqttsession.persistence.LeaseOwner;
import io.github.mqttsession.persistence.PendingMessageLimit;
import io.github.mqttsession.persistence.PendingMessageWriter;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.SessionLease;
import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.Subscription;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * The MQTT properties checked and resolved once at start-up: every invalid value fails
 * here, naming the property, the value and what is valid, before any client is created.
 */
final class MqttClientSettings {

	final List<String> urls;

	final MqttConnection connection;

	final String clientId;

	final boolean mqtt5;

	final List<Subscription> topics;

	final PendingMessageLimit pendingMessageLimit;

	final SessionLease lease;

	final MqttClientProperties client;

	final MqttInboundProperties inbound;

	final MqttOutboundProperties outbound;

	/** How long a QoS 1 publish may wait for its acknowledgement before it is written. */
	final Duration writeDelay;

	private MqttClientSettings(MqttClientProperties client, MqttInboundProperties inbound,
			MqttOutboundProperties outbound, MqttSessionProperties session, Environment environment,
			MqttConnectionDetails connectionDetails, String connectionDetailsBean) {
		this.client = client;
		this.inbound = inbound;
		this.outbound = outbound;
		this.mqtt5 = isMqtt5(client.getProtocolVersion());
		this.connection = MqttConnection.of(connectionDetails, connectionDetailsBean, this.mqtt5);
		this.urls = this.connection.urls;
		this.clientId = clientId(client, environment);
		this.topics = topics(inbound.getTopics());
		this.pendingMessageLimit = limit(session);
		this.lease = lease(session.getLease());
		checkOutbound(outbound, this.mqtt5);
		this.writeDelay = writeDelay(outbound);
		checkClient(client);
		WireValueChecks.checkClient(client);
	}

	/**
	 * Checks and resolves the properties and the connection details.
	 * @param connectionDetails the broker URLs and credentials
	 * @param connectionDetailsBean the name of the details bean, which a report of a bad
	 * value names when it is the application's
	 */
	static MqttClientSettings resolve(MqttClientProperties client, MqttInboundProperties inbound,
			MqttOutboundProperties outbound, MqttSessionProperties session, Environment environment,
			MqttConnectionDetails connectionDetails, String connectionDetailsBean) {
		return new MqttClientSettings(client, inbound, outbound, session, environment, connectionDetails,
				connectionDetailsBean);
	}

	/**
	 * Whether a protocol version names MQTT 5.
	 * @param protocolVersion the configured version
	 * @return {@code true} for 5, {@code false} for 3.1.1 or 4
	 */
	static boolean isMqtt5(String protocolVersion) {
		String version = (protocolVersion != null) ? protocolVersion.trim() : "";
		return switch (version) {
			case "5", "5.0" -> true;
			case "3.1.1", "4" -> false;
			default -> throw new InvalidConfigurationPropertyValueException("mqtt.client.protocol-version",
					protocolVersion, "Valid versions are 3.1.1 (alias 4, its protocol level) and 5.");
		};
	}

	private static String clientId(MqttClientProperties client, Environment environment) {
		String clientId = client.getClientId();
		if (!StringUtils.hasText(clientId)) {
			clientId = environment.getProperty("spring.application.name");
		}
		if (!StringUtils.hasText(clientId)) {
			if (client.isCleanSession()) {
				return "mqtt-session-" + UUID.randomUUID();
			}
			throw new MqttSessionConfigurationException(
					"mqtt.client.clean-session=false keeps the session under the client id, but neither"
							+ " mqtt.client.client-id nor spring.application.name is set.",
					"Set mqtt.client.client-id (or spring.application.name) to an id that is stable across restarts"
							+ " and unique per running instance.",
					null);
		}
		try {
			return MqttNames.requireValidClientId(clientId);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.client-id", clientId, ex.getMessage());
		}
	}

	private static List<Subscription> topics(List<MqttInboundProperties.Topic> topics) {
		List<Subscription> subscriptions = new ArrayList<>();
		for (int i = 0; i < topics.size(); i++) {
			MqttInboundProperties.Topic topic = topics.get(i);
			try {
				MqttNames.requireValidTopicFilter(topic.getFilter());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.inbound.topics[" + i + "].filter",
						topic.getFilter(), ex.getMessage());
			}
			checkQos("mqtt.inbound.topics[" + i + "].qos", topic.getQos());
			for (Subscription earlier : subscriptions) {
				if (earlier.topicFilter().equals(topic.getFilter())) {
					throw new InvalidConfigurationPropertyValueException("mqtt.inbound.topics[" + i + "].filter",
							topic.getFilter(), "The filter is listed twice; list each filter once.");
				}
			}
			subscriptions.add(new Subscription(topic.getFilter(), topic.getQos(), true));
		}
		return List.copyOf(subscriptions);
	}

	private static PendingMessageLimit limit(MqttSessionProperties session) {
		try {
			return new PendingMessageLimit(session.getMaxPendingMessages(), session.getOverflow());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.max-pending-messages",
					session.getMaxPendingMessages(), ex.getMessage());
		}
	}

	private static SessionLease lease(MqttSessionProperties.Lease lease) {
		if (!lease.isEnabled()) {
			return null;
		}
		String owner = StringUtils.hasText(lease.getOwner()) ? lease.getOwner() : LeaseOwner.ofThisProcess();
		try {
			SessionLeasing.requireValidOwner(owner);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.lease.owner", owner, ex.getMessage());
		}
		try {
			return new SessionLease(owner, lease.getDuration(), lease.isWaitForTakeover());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.lease.duration", lease.getDuration(),
					ex.getMessage());
		}
	}

	/**
	 * The write delay set, or else the default, cut to half the longest a send waits for
	 * its write when that is shorter, so that a short send timeout needs no delay of its
	 * own.
	 */
	private static Duration writeDelay(MqttOutboundProperties outbound) {
		Duration writeDelay = outbound.getWriteDelay();
		if (writeDelay != null) {
			return writeDelay;
		}
		Duration half = SendWindow.writeTimeout(outbound.getSendTimeout()).dividedBy(2);
		return (half.compareTo(PendingMessageWriter.DEFAULT_WRITE_DELAY) < 0) ? half
				: PendingMessageWriter.DEFAULT_WRITE_DELAY;
	}

	private static void checkOutbound(MqttOutboundProperties outbound, boolean mqtt5) {
		checkQos("mqtt.outbound.default-qos", outbound.getDefaultQos());
		checkNotNegative("mqtt.outbound.send-timeout", outbound.getSendTimeout());
		Duration writeDelay = outbound.getWriteDelay();
		Duration sendTimeout = outbound.getSendTimeout();
		Duration writeTimeout = SendWindow.writeTimeout(sendTimeout);
		if (writeDelay != null) {
			checkNotNegative("mqtt.outbound.write-delay", writeDelay);
		}
		if (writeDelay != null && writeDelay.compareTo(writeTimeout) >= 0) {
			throw new InvalidConfigurationPropertyValueException("mqtt.outbound.write-delay", writeDelay,
					"It must be shorter than mqtt.outbound.send-timeout (" + sendTimeout + ")"
							+ (sendTimeout.isZero() ? ", which gives a write " + writeTimeout : "")
							+ ", the longest a send waits for its message to be written; a message the broker does not"
							+ " acknowledge would fail its send.");
		}
		Duration ttl = outbound.getOfflineMessageTtl();
		if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
			throw new InvalidConfigurationPropertyValueException("mqtt.outbound.offline-message-ttl", ttl,
					"It must be positive; leave it unset to keep messages published while offline until they are sent.");
		}
		Duration interval = outbound.getMessageExpiryInterval();
		if (interval != null) {
			if (interval.isNegative() || interval.isZero() || interval.toMillis() % 1000 != 0
					|| interval.toSeconds() > 4_294_967_295L) {
				throw new InvalidConfigurationPropertyValueException("mqtt.outbound.message-expiry-interval", interval,
						"It is a whole number of seconds, from 1s to 4294967295s (about 136 years).");
			}
			if (!mqtt5) {
				throw new InvalidConfigurationPropertyValueException("mqtt.outbound.message-expiry-interval", interval,
						"It is an MQTT 5 message property, and mqtt.client.protocol-version is 3.1.1; to expire"
								+ " messages published while offline on MQTT 3.1.1, set mqtt.outbound.offline-message-ttl.");
			}
		}
		if (outbound.getDefaultTopic() != null) {
			try {
				MqttNames.requireValidTopicName(outbound.getDefaultTopic());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.outbound.default-topic",
						outbound.getDefaultTopic(), ex.getMessage());
			}
		}
	}

	private static void checkClient(MqttClientProperties client) {
		if (client.getMaxInflight() < 4 || client.getMaxInflight() > 65_535) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.max-inflight", client.getMaxInflight(),
					"It must be 4..65535: Paho's MQTT 3.1.1 client sends what it buffered while offline only while fewer"
							+ " than max-inflight - 3 messages are in flight, so a smaller window would never send it.");
		}
		checkWholeSeconds("mqtt.client.keep-alive", client.getKeepAlive());
		checkWholeSeconds("mqtt.client.connection-timeout", client.getConnectionTimeout());
		checkNotNegative("mqtt.client.session-expiry-interval", client.getSessionExpiryInterval());
		if (client.getSessionExpiryInterval().toSeconds() > 4_294_967_295L) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.session-expiry-interval",
					client.getSessionExpiryInterval(), "MQTT 5 allows at most 4294967295 seconds (about 136 years).");
		}
		checkNotNegative("mqtt.client.completion-timeout", client.getCompletionTimeout());
		checkNotNegative("mqtt.client.disconnect-timeout", client.getDisconnectTimeout());
		checkNotNegative("mqtt.client.quiescent-timeout", client.getQuiescentTimeout());
		if (client.getMinReconnectDelay().compareTo(Duration.ofSeconds(1)) < 0
				|| client.getMaxReconnectDelay().compareTo(client.getMinReconnectDelay()) < 0) {
			throw new InvalidConfigurationPropertyValueException("mqtt.client.max-reconnect-delay",
					client.getMaxReconnectDelay(),
					"Reconnect delays are whole seconds, at least 1 s, and"
							+ " max-reconnect-delay is at least min-reconnect-delay (" + client.getMinReconnectDelay()
							+ ").");
		}
		MqttClientProperties.Will will = client.getWill();
		if (will.getTopic() != null) {
			try {
				MqttNames.requireValidTopicName(will.getTopic());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException("mqtt.client.will.topic", will.getTopic(),
						ex.getMessage());
			}
			checkQos("mqtt.client.will.qos", will.getQos());
		}
	}

	private static void checkQos(String property, int qos) {
		if (qos < 0 || qos > 2) {
			throw new InvalidConfigurationPropertyValueException(property, qos, "QoS must be 0, 1 or 2.");
		}
	}

	/**
	 * Paho takes these in whole seconds, and reads 0 as off: a fraction of a second would
	 * switch them off.
	 */
	private static void checkWholeSeconds(String property, Duration duration) {
		checkNotNegative(property, duration);
		if (duration.toMillis() % 1000 != 0) {
			throw new InvalidConfigurationPropertyValueException(property, duration,
					"It is a whole number of seconds, such as 30s; 0 switches it off.");
		}
	}

	private static void checkNotNegative(String property, Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new InvalidConfigurationPropertyValueException(property, duration, "It must not be negative.");
		}
	}

	byte[] willPayload() {
		return this.client.getWill().getPayload().getBytes(StandardCharsets.UTF_8);
	}

}
