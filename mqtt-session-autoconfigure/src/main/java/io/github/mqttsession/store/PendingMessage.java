package io.github.mqttsession.store;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A message of a client session that is not complete yet, identified within its session
 * by {@code (state, packetId)}: an outbound QoS 1/2 publish not yet acknowledged, an
 * outbound QoS 2 release not yet completed, an inbound QoS 2 publish not yet released, or
 * a message published while the broker was unreachable.
 * <p>
 * Payload and properties are copied in and out, so no caller can change a stored message
 * through a reference.
 *
 * @param state the protocol state the message is in
 * @param packetId the MQTT packet id, 1..65,535; for a {@link State#TRANSACTIONAL_OUTBOX}
 * message, which has no packet id yet, its number among the session's messages in that
 * state, in the same range
 * @param topic the topic name (no wildcards); absent for {@link State#OUTBOUND_PUBREL}
 * @param payload the application payload, possibly empty; empty for
 * {@link State#OUTBOUND_PUBREL}
 * @param qos the QoS of the publish, 0..2 (2 for {@link State#OUTBOUND_PUBREL}; 0 only
 * for {@link State#OFFLINE_BUFFERED} and {@link State#TRANSACTIONAL_OUTBOX})
 * @param retained the retain flag of the publish
 * @param duplicate the dup flag the packet carried when it was stored
 * @param properties the MQTT 5 property block of the packet, encoded as on the wire;
 * empty on MQTT 3.1.1
 * @param expiresAt when a message buffered offline expires: past it, the message is
 * dropped instead of sent; absent for a message that never expires (and for messages in
 * other states, which are already on their way)
 */
public record PendingMessage(State state, int packetId, @Nullable String topic, byte[] payload, int qos,
		boolean retained, boolean duplicate, byte[] properties, @Nullable Instant expiresAt) {

	private static final byte[] EMPTY = new byte[0];

	/**
	 * Validates the message and copies its arrays; absent payload and properties stand
	 * for empty ones.
	 * @param state the protocol state
	 * @param packetId the packet id, 1..65,535
	 * @param topic the topic name, absent for a release
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 * @param duplicate the dup flag
	 * @param properties the MQTT 5 property block
	 * @param expiresAt when the message expires, absent when never
	 */
	public PendingMessage {
		if (state == null) {
			throw new IllegalArgumentException(
					"Pending message state must not be null; valid states are " + Arrays.toString(State.values()));
		}
		if (packetId < 1 || packetId > 65_535) {
			throw new IllegalArgumentException(
					"Packet id " + packetId + " of a " + state + " message is not valid; it must be 1..65535");
		}
		MqttNames.requireValidQos(qos);
		payload = (payload != null) ? payload.clone() : EMPTY;
		properties = (properties != null) ? properties.clone() : EMPTY;
		if (state == State.OUTBOUND_PUBREL) {
			if (topic != null || payload.length > 0 || qos != 2) {
				throw new IllegalArgumentException("An OUTBOUND_PUBREL record (packet id " + packetId
						+ ") has no topic, an empty payload and QoS 2, but had topic " + topic + ", " + payload.length
						+ " payload bytes and QoS " + qos);
			}
		}
		else {
			MqttNames.requireValidTopicName(topic);
			if (state == State.INBOUND_HANDLED && (payload.length > 0 || qos != 2)) {
				throw new IllegalArgumentException("An INBOUND_HANDLED record (packet id " + packetId
						+ ") has an empty payload and QoS 2, but had " + payload.length + " payload bytes and QoS "
						+ qos);
			}
			if (qos == 0 && state != State.OFFLINE_BUFFERED && state != State.TRANSACTIONAL_OUTBOX) {
				throw new IllegalArgumentException("QoS 0 is not valid for a " + state + " message (packet id "
						+ packetId + "); only OFFLINE_BUFFERED and TRANSACTIONAL_OUTBOX messages may have QoS 0");
			}
		}
	}

	/**
	 * A message that never expires.
	 * @param state the protocol state
	 * @param packetId the packet id, 1..65,535
	 * @param topic the topic name, absent for a release
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 * @param duplicate the dup flag
	 * @param properties the MQTT 5 property block
	 */
	public PendingMessage(State state, int packetId, @Nullable String topic, byte @Nullable [] payload, int qos,
			boolean retained, boolean duplicate, byte @Nullable [] properties) {
		this(state, packetId, topic, payload, qos, retained, duplicate, properties, null);
	}

	/**
	 * A message with the dup flag clear and no MQTT 5 properties.
	 * @param state the protocol state
	 * @param packetId the packet id, 1..65,535
	 * @param topic the topic name, absent for a release
	 * @param payload the payload
	 * @param qos the QoS
	 * @param retained the retain flag
	 */
	public PendingMessage(State state, int packetId, @Nullable String topic, byte @Nullable [] payload, int qos,
			boolean retained) {
		this(state, packetId, topic, payload, qos, retained, false, null);
	}

	/**
	 * The record of an outbound QoS 2 release (PUBREL) waiting for its PUBCOMP.
	 * @param packetId the packet id, 1..65,535
	 * @return the record
	 */
	public static PendingMessage pubrel(int packetId) {
		return new PendingMessage(State.OUTBOUND_PUBREL, packetId, null, null, 2, false);
	}

	/**
	 * The mark that the application's transaction handled an inbound QoS 2 message.
	 * @param packetId the message's packet id, 1..65,535
	 * @param topic the message's topic
	 * @return the record
	 */
	public static PendingMessage handled(int packetId, String topic) {
		return new PendingMessage(State.INBOUND_HANDLED, packetId, topic, null, 2, false);
	}

	/**
	 * This message with another expiry.
	 * @param expiresAt when the message expires, absent when never
	 * @return the message
	 */
	public PendingMessage withExpiresAt(@Nullable Instant expiresAt) {
		return new PendingMessage(this.state, this.packetId, this.topic, this.payload, this.qos, this.retained,
				this.duplicate, this.properties, expiresAt);
	}

	/**
	 * A copy of the payload.
	 * @return the payload bytes
	 */
	@Override
	public byte[] payload() {
		return this.payload.clone();
	}

	/**
	 * A copy of the encoded MQTT 5 properties.
	 * @return the property bytes, empty on MQTT 3.1.1
	 */
	@Override
	public byte[] properties() {
		return this.properties.clone();
	}

	/**
	 * This message's identity within its session.
	 * @return its state and packet id
	 */
	public Key key() {
		return new Key(this.state, this.packetId);
	}

	/**
	 * The size of the payload, without copying it.
	 * @return the payload length in bytes
	 */
	public int payloadLength() {
		return this.payload.length;
	}

	@Override
	public boolean equals(Object obj) {
		return (obj instanceof PendingMessage other) && this.state == other.state && this.packetId == other.packetId
				&& this.qos == other.qos && this.retained == other.retained && this.duplicate == other.duplicate
				&& Objects.equals(this.topic, other.topic) && Arrays.equals(this.payload, other.payload)
				&& Arrays.equals(this.properties, other.properties) && Objects.equals(this.expiresAt, other.expiresAt);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.state, this.packetId, this.topic, this.qos, this.retained, this.duplicate,
				Arrays.hashCode(this.payload), Arrays.hashCode(this.properties), this.expiresAt);
	}

	@Override
	public String toString() {
		return "PendingMessage[" + this.state + " #" + this.packetId + ", topic=" + this.topic + ", qos=" + this.qos
				+ ", retained=" + this.retained + ", duplicate=" + this.duplicate + ", payload=" + this.payload.length
				+ " bytes, properties=" + this.properties.length + " bytes"
				+ ((this.expiresAt != null) ? ", expiresAt=" + this.expiresAt : "") + "]";
	}

	/**
	 * The identity of a pending message within its session: its state and packet id. Paho
	 * can hold an {@link State#OUTBOUND_PUBLISH} and an {@link State#OUTBOUND_PUBREL} of
	 * one packet id at once, so the packet id alone does not tell two messages apart.
	 * Stores, the persistence and its indexes all use this one identity.
	 *
	 * @param state the protocol state
	 * @param packetId the packet id
	 */
	public record Key(State state, int packetId) {

		/**
		 * The key of the same packet id in another state: the offline-buffered record of
		 * an outbound publish, say.
		 * @param other the other state
		 * @return the key
		 */
		public Key in(State other) {
			return (other == this.state) ? this : new Key(other, this.packetId);
		}

		@Override
		public String toString() {
			return this.state + " #" + this.packetId;
		}

	}

	/** The protocol state a pending message is in. */
	public enum State {

		/**
		 * An outbound QoS 1 or 2 PUBLISH sent or about to be sent, not yet acknowledged.
		 */
		OUTBOUND_PUBLISH,

		/** An outbound QoS 2 PUBREL sent after PUBREC, waiting for PUBCOMP. */
		OUTBOUND_PUBREL,

		/**
		 * An inbound QoS 2 PUBLISH received and acknowledged with PUBREC, waiting for
		 * PUBREL.
		 */
		INBOUND_PUBLISH,

		/** A message published while the client was disconnected, waiting to be sent. */
		OFFLINE_BUFFERED,

		/**
		 * An outbound message written in the application's own database transaction
		 * ({@code mqtt.outbound.transactional}), not yet handed to the client: stored
		 * once that transaction commits, gone if it rolls back. It has no packet id yet
		 * (the client assigns one when it publishes), so its packet id is its number
		 * among the session's messages in this state, which keeps its key distinct. Its
		 * hand-over replaces it with the {@link #OUTBOUND_PUBLISH} or
		 * {@link #OFFLINE_BUFFERED} record of its publish in one store write.
		 */
		TRANSACTIONAL_OUTBOX,

		/**
		 * The mark that the application's transaction handled the inbound QoS 2 message
		 * whose {@link #INBOUND_PUBLISH} record has the same packet id
		 * ({@code mqtt.inbound.transactional}): written in that transaction, removed with
		 * the message's record, so that a delivery of the message again finds it handled.
		 * It has the message's topic, an empty payload and QoS 2.
		 */
		INBOUND_HANDLED,

		/**
		 * An inbound QoS 2 message the broker released (PUBREL) before the application's
		 * transaction handled it ({@code mqtt.inbound.transactional}, MQTT 5, whose
		 * client completes a release at once): kept until that transaction commits, which
		 * removes it. The broker may use the packet id again once released, so its packet
		 * id is its number among the session's messages in this state.
		 */
		INBOUND_RELEASED

	}

}
