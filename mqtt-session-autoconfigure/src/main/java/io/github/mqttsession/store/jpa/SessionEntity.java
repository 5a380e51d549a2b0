package io.github.mqttsession.store.jpa;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/** A row of {@code MQTT_SESSION}: one per client id. */
@Entity
@Table(name = "MQTT_SESSION")
class SessionEntity {

	@Id
	@Column(name = "CLIENT_ID", length = 1024)
	private String clientId;

	@Column(name = "PACKET_ID", nullable = false)
	private int packetId;

	@Version
	@Column(name = "VERSION", nullable = false)
	private long version;

	@Column(name = "CREATED_AT", nullable = false)
	private Instant createdAt;

	@Column(name = "UPDATED_AT", nullable = false)
	private Instant updatedAt;

	@Column(name = "OWNER", length = 255)
	private String owner;

	@Column(name = "LEASE_EXPIRES_AT")
	private Instant leaseExpiresAt;

	/**
	 * Counted up at every change of the lease's owner: the fence of the session's writes.
	 */
	@Column(name = "LEASE_GENERATION", nullable = false)
	private long leaseGeneration;

	protected SessionEntity() {
	}

	SessionEntity(String clientId, int packetId, Instant now) {
		this.clientId = clientId;
		this.packetId = packetId;
		this.createdAt = now;
		this.updatedAt = now;
	}

	String getClientId() {
		return this.clientId;
	}

	int getPacketId() {
		return this.packetId;
	}

}
