package io.github.mqttsession.integration;

import java.util.Map;

import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

import org.springframework.integration.mapping.HeaderMapper;
import org.springframework.integration.mqtt.support.MqttHeaderMapper;
import org.springframework.messaging.MessageHeaders;

/**
 * Spring Integration's {@link MqttHeaderMapper}, with a message expiry interval for every
 * outbound MQTT 5 message whose headers set none ({@code mqtt_messageExpiryInterval});
 * Spring Integration has no default of its own.
 */
public class DefaultMessageExpiryHeaderMapper implements HeaderMapper<MqttProperties> {

	private final HeaderMapper<MqttProperties> delegate = new MqttHeaderMapper();

	private final long seconds;

	/**
	 * Creates a mapper.
	 * @param seconds the message expiry interval of messages without one,
	 * 1..4,294,967,295
	 */
	public DefaultMessageExpiryHeaderMapper(long seconds) {
		this.seconds = seconds;
	}

	/**
	 * Maps the headers as Spring Integration does, then sets the default interval when
	 * none was mapped.
	 * @param headers the message headers
	 * @param target the properties of the outgoing publish
	 */
	@Override
	public void fromHeaders(MessageHeaders headers, MqttProperties target) {
		this.delegate.fromHeaders(headers, target);
		if (target.getMessageExpiryInterval() == null) {
			target.setMessageExpiryInterval(this.seconds);
		}
	}

	/**
	 * Maps the properties of an arriving message as Spring Integration does.
	 * @param source the properties
	 * @return the headers
	 */
	@Override
	public Map<String, Object> toHeaders(MqttProperties source) {
		return this.delegate.toHeaders(source);
	}

}
