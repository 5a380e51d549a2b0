package io.github.mqttsession.sample;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.annotation.Profile;
import org.springframework.integration.annotation.ServiceActivator;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.stereotype.Component;

/**
 * The sample's transactional mode: every reading that arrives is stored in the table
 * {@code READING}, and handed to the {@link TemperatureAlerts}. Not
 * {@code @Transactional} itself: with {@code mqtt.inbound.transactional: true} the
 * inbound adapter runs it in a transaction on the session store's DataSource, which also
 * records that a QoS 2 reading was handled, so that the row is stored exactly once; the
 * insert and the alert join that transaction.
 */
@Component
@Profile("transactional")
public class StoredReadings {

	private static final Log logger = LogFactory.getLog(StoredReadings.class);

	private final JdbcTemplate jdbc;

	private final TemperatureAlerts alerts;

	StoredReadings(JdbcTemplate jdbc, TemperatureAlerts alerts) {
		this.jdbc = jdbc;
		this.alerts = alerts;
	}

	/**
	 * Stores a reading of {@code sensors/<sensor>/temperature} and checks it for an
	 * alert.
	 * @param reading the reading, its payload the temperature in degrees Celsius
	 */
	@ServiceActivator(inputChannel = "mqttInboundChannel")
	public void store(Message<?> reading) {
		String topic = reading.getHeaders().get(MqttHeaders.RECEIVED_TOPIC, String.class);
		String sensor = sensorOf(topic);
		Object payload = reading.getPayload();
		double celsius = Double.parseDouble((payload instanceof byte[] bytes)
				? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(payload));
		this.jdbc.update("INSERT INTO READING (SENSOR, CELSIUS, RECEIVED_AT) VALUES (?, ?, CURRENT_TIMESTAMP)", sensor,
				celsius);
		logger.info(String.format(Locale.ROOT, "Stored reading %.1f °C of %s", celsius, sensor));
		this.alerts.check(sensor, celsius);
	}

	/** The sensor of a topic {@code sensors/<sensor>/...}: the room in this sample. */
	private static String sensorOf(String topic) {
		String[] levels = topic.split("/");
		return (levels.length > 1) ? levels[1] : topic;
	}

}
