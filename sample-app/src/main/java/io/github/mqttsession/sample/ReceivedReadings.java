package io.github.mqttsession.sample;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageHandler;

/**
 * Logs every reading that arrives from the broker and counts them.
 */
public class ReceivedReadings implements MessageHandler {

	private static final Log logger = LogFactory.getLog(ReceivedReadings.class);

	private final AtomicLong count = new AtomicLong();

	@Override
	public void handleMessage(Message<?> message) {
		Object payload = message.getPayload();
		String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: String.valueOf(payload);
		logger.info("Received " + text + " on " + message.getHeaders().get(MqttHeaders.RECEIVED_TOPIC));
		this.count.incrementAndGet();
	}

	/**
	 * How many readings have arrived since the application started.
	 * @return the count
	 */
	public long count() {
		return this.count.get();
	}

}
