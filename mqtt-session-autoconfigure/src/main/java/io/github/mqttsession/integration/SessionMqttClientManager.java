package io.github.mqttsession.integration;

import org.springframework.integration.mqtt.core.ClientManager;

/**
 * A Spring Integration {@link ClientManager} whose client keeps its session durable: the
 * type the starter's inbound adapters, outbound handlers and runtime subscriptions take
 * their client manager by, so that an application's own manager fits them as well as
 * {@link SessionMqttv3ClientManager} and {@link SessionMqttv5ClientManager} do. The
 * client and options types tell the protocol version apart: {@code IMqttAsyncClient} and
 * {@code MqttConnectOptions} of Paho's {@code org.eclipse.paho.client.mqttv3} for MQTT
 * 3.1.1, those of {@code org.eclipse.paho.mqttv5.client} for MQTT 5.
 * <p>
 * The session's side of a manager ({@link #sessionSupport()}) is built by the starter's
 * managers on their persistence, so an application's own manager delegates it, and
 * usually the client, to one of them.
 *
 * @param <T> the Paho client type
 * @param <C> the Paho connect options type
 */
public interface SessionMqttClientManager<T, C> extends ClientManager<T, C>, SessionClientManager {

}
