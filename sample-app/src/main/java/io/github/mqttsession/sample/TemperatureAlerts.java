package io.github.mqttsession.sample;

import java.util.Locale;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Profile;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.MessageChannel;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The sample's transactional mode: a reading above {@code sample.alert-above} raises an
 * alert, a row of the table {@code ALERT} and a message to {@code alerts/<sensor>}, in
 * one transaction. With {@code mqtt.outbound.transactional: true} the message is written
 * in that transaction and published after its commit: both or neither.
 */
@Service
@Profile("transactional")
public class TemperatureAlerts {

	private static final Log logger = LogFactory.getLog(TemperatureAlerts.class);

	private final JdbcTemplate jdbc;

	private final MessageChannel mqttOutboundChannel;

	private final double alertAbove;

	TemperatureAlerts(JdbcTemplate jdbc, @Qualifier("mqttOutboundChannel") MessageChannel mqttOutboundChannel,
			@Value("${sample.alert-above:30.0}") double alertAbove) {
		this.jdbc = jdbc;
		this.mqttOutboundChannel = mqttOutboundChannel;
		this.alertAbove = alertAbove;
	}

	/**
	 * Raises an alert when a reading is above the threshold: joins the transaction the
	 * reading is handled in, or begins one.
	 * @param sensor the sensor that read it
	 * @param celsius the reading, in degrees Celsius
	 */
	@Transactional
	public void check(String sensor, double celsius) {
		if (celsius <= this.alertAbove) {
			return;
		}
		this.jdbc.update("INSERT INTO ALERT (SENSOR, CELSIUS, RAISED_AT) VALUES (?, ?, CURRENT_TIMESTAMP)", sensor,
				celsius);
		String topic = "alerts/" + sensor;
		String text = String.format(Locale.ROOT, "%.1f", celsius);
		this.mqttOutboundChannel.send(MessageBuilder.withPayload(text).setHeader(MqttHeaders.TOPIC, topic).build());
		// Registered after the send's own synchronization, which hands the message to the
		// client once the transaction has committed
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

			@Override
			public void afterCommit() {
				logger.info("Alert " + text + " °C of " + sensor + " (above " + TemperatureAlerts.this.alertAbove
						+ " °C) published after commit to " + topic);
			}

		});
	}

}
