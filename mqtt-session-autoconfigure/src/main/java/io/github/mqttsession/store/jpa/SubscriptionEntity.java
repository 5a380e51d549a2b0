package io.github.mqttsession.store.jpa;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** A row of {@code MQTT_SUBSCRIPTION}; its id orders a session's subscriptions. */
@Entity
@Table(name = "MQTT_SUBSCRIPTION")
class SubscriptionEntity {

	@Id
	@Column(name = "ID")
	@GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "mqttSubscriptionSeq")
	@SequenceGenerator(name = "mqttSubscriptionSeq", sequenceName = "MQTT_SUBSCRIPTION_SEQ", allocationSize = 1)
	private long id;

	@Column(name = "CLIENT_ID", nullable = false, length = 1024)
	private String clientId;

	@Column(name = "TOPIC_FILTER", nullable = false, length = 1024)
	private String topicFilter;

	@Column(name = "QOS", nullable = false)
	private int qos;

	@Column(name = "CONFIGURED", nullable = false)
	private boolean configured;

	@Column(name = "CREATED_AT", nullable = false)
	private Instant createdAt;

	protected SubscriptionEntity() {
	}

}
