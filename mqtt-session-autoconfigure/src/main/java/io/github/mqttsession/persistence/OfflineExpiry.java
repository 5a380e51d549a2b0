package io.github.mqttsession.persistence;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * When a message published while the broker was unreachable stops being worth sending:
 * its MQTT 5 message expiry interval, or else the configured time to live of offline
 * messages, counted from the moment it was buffered.
 * <p>
 * The instant is fixed once, when the message is buffered, and stored with it, so that it
 * holds across restarts however long the broker stays away. An expired message is dropped
 * unsent, with a warning, and reported to the {@link SessionPersistenceListener}. On MQTT
 * 5 a message that is still sent carries what remains of its interval, as the protocol
 * asks of a client that held a message back.
 */
final class OfflineExpiry {

	private static final Log logger = LogFactory.getLog(OfflineExpiry.class);

	private final String clientId;

	private final boolean mqtt5;

	private final @Nullable Duration timeToLive;

	private final Clock clock;

	private final SessionPersistenceListener listener;

	OfflineExpiry(String clientId, boolean mqtt5, @Nullable Duration timeToLive, Clock clock,
			SessionPersistenceListener listener) {
		this.clientId = clientId;
		this.mqtt5 = mqtt5;
		this.timeToLive = timeToLive;
		this.clock = clock;
		this.listener = listener;
	}

	Instant now() {
		return this.clock.instant();
	}

	/**
	 * The message with its expiry, if it is buffered offline and has a lifetime; any
	 * other message as it is.
	 * @param message the message Paho is storing
	 * @return the message to store
	 */
	PendingMessage stamp(PendingMessage message) {
		if (message.state() != PendingMessage.State.OFFLINE_BUFFERED || message.expiresAt() != null) {
			return message;
		}
		Duration lifetime = lifetime(message);
		return (lifetime != null) ? message.withExpiresAt(now().plus(lifetime)) : message;
	}

	/**
	 * Whether a buffered message has expired.
	 * @param message the message
	 * @param now the time now
	 * @return {@code true} when it is buffered and its expiry has passed
	 */
	static boolean isExpired(PendingMessage message, Instant now) {
		return message.state() == PendingMessage.State.OFFLINE_BUFFERED && message.expiresAt() != null
				&& !message.expiresAt().isAfter(now);
	}

	/**
	 * The MQTT 5 message expiry interval a buffered message should carry when it is sent
	 * now: what remains of it.
	 * @param message the message
	 * @param now the time now
	 * @return the seconds that remain, at least 1, or -1 when the message carries no
	 * interval to count down
	 */
	long remainingInterval(PendingMessage message, Instant now) {
		if (!this.mqtt5 || message.state() != PendingMessage.State.OFFLINE_BUFFERED || message.expiresAt() == null
				|| PublishProperties.messageExpiryInterval(message.properties()) < 0) {
			return -1;
		}
		long millis = Duration.between(now, message.expiresAt()).toMillis();
		return Math.max(1, (millis + 999) / 1000);
	}

	/**
	 * A buffered message as it is to be sent now: on MQTT 5, with what remains of its
	 * expiry interval.
	 * @param message the message
	 * @return the message to send
	 */
	PendingMessage forSending(PendingMessage message) {
		long remaining = remainingInterval(message, now());
		if (remaining < 0) {
			return message;
		}
		return new PendingMessage(message.state(), message.packetId(), message.topic(), message.payload(),
				message.qos(), message.retained(), message.duplicate(),
				PublishProperties.withMessageExpiryInterval(message.properties(), remaining), message.expiresAt());
	}

	/**
	 * Logs and reports buffered messages that were dropped because they expired.
	 * @param expired the messages, no longer stored
	 * @param now the time they were found expired
	 */
	void dropped(List<PendingMessage> expired, Instant now) {
		for (PendingMessage message : expired) {
			logger.warn("Client '" + this.clientId + "' dropped the message published while the broker was"
					+ " unreachable, packet id " + message.packetId() + " to '" + message.topic() + "', unsent: "
					+ waited(message, now));
			this.listener.expired(this.clientId, message);
		}
	}

	private String waited(PendingMessage message, Instant now) {
		Instant expiresAt = message.expiresAt();
		Duration lifetime = lifetime(message);
		if (expiresAt == null) {
			return "its expiry passed";
		}
		if (lifetime == null) {
			// Buffered under an offline-message-ttl that is no longer configured: only
			// the expiry itself is known.
			return "its expiry passed " + seconds(Duration.between(expiresAt, now)) + " ago, at " + expiresAt;
		}
		String reason = (this.mqtt5 && PublishProperties.messageExpiryInterval(message.properties()) >= 0)
				? "its message expiry interval of " + seconds(lifetime)
				: "mqtt.outbound.offline-message-ttl (" + seconds(lifetime) + ")";
		return "it waited " + seconds(lifetime.plus(Duration.between(expiresAt, now))) + ", past " + reason;
	}

	private @Nullable Duration lifetime(PendingMessage message) {
		long interval = this.mqtt5 ? PublishProperties.messageExpiryInterval(message.properties()) : -1;
		return (interval >= 0) ? Duration.ofSeconds(interval) : this.timeToLive;
	}

	private static String seconds(Duration duration) {
		return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
	}

}
