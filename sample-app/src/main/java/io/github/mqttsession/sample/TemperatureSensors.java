package io.github.mqttsession.sample;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;

/**
 * Simulated thermometers, one per room, read in turn: each reading is a message for
 * {@code sensors/<room>/temperature}, published at the outbound default QoS (1 in this
 * sample).
 */
public class TemperatureSensors {

	private static final Log logger = LogFactory.getLog(TemperatureSensors.class);

	private static final List<String> ROOMS = List.of("kitchen", "living-room", "bedroom");

	private final AtomicLong readings = new AtomicLong();

	/**
	 * Reads the next room's thermometer.
	 * @return the reading, in degrees Celsius, addressed to the room's topic
	 */
	public Message<String> nextReading() {
		long count = this.readings.getAndIncrement();
		String room = ROOMS.get((int) (count % ROOMS.size()));
		double celsius = 19.0 + ThreadLocalRandom.current().nextDouble(4.0);
		String topic = "sensors/" + room + "/temperature";
		String payload = String.format(Locale.ROOT, "%.1f", celsius);
		logger.info("Publishing " + payload + " °C to " + topic);
		return MessageBuilder.withPayload(payload).setHeader(MqttHeaders.TOPIC, topic).build();
	}

}
