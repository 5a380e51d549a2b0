package io.github.mqttsession.store.jpa;

import java.time.Instant;

import io.github.mqttsession.store.PendingMessage;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * A row of {@code MQTT_PENDING_MESSAGE}: topic, QoS and payload are plain columns a
 * person can query. Its id orders a session's messages; {@code EXPIRES_AT} is when a
 * message buffered offline expires, empty when never.
 */
@Entity
@Table(name = "MQTT_PENDING_MESSAGE")
class PendingMessageEntity {

	@Id
	@Column(name = "ID")
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "mqttPendingMessageSeq")
	@SequenceGenerator(name = "mqttPendingMessageSeq", sequenceName = "MQTT_PENDING_MESSAGE_SEQ", allocationSize = 1)
	private long id;

	@Column(name = "CLIENT_ID", nullable = false, length = 1024)
	private String clientId;

	@Enumerated(EnumType.STRING)
	@JdbcTypeCode(SqlTypes.VARCHAR)
	@Column(name = "STATE", nullable = false, length = 20)
	private PendingMessage.State state;

	@Column(name = "PACKET_ID", nullable = false)
	private int packetId;

	@Column(name = "TOPIC", length = 65535)
	private String topic;

	@Column(name = "QOS", nullable = false)
	private int qos;

	@Column(name = "RETAINED", nullable = false)
	private boolean retained;

	@Column(name = "DUPLICATE", nullable = false)
	private boolean duplicate;

	@JdbcTypeCode(SqlTypes.VARBINARY)
	@Column(name = "PROPERTIES", nullable = false)
	private byte[] properties;

	@JdbcTypeCode(SqlTypes.VARBINARY)
	@Column(name = "PAYLOAD", nullable = false)
	private byte[] payload;

	@Column(name = "CREATED_AT", nullable = false)
	private Instant createdAt;

	@Column(name = "EXPIRES_AT")
	private Instant expiresAt;

	protected PendingMessageEntity() {
	}

}
