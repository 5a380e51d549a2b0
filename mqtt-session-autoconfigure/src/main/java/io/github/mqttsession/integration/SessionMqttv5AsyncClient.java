package io.github.mqttsession.integration;

import java.lang.reflect.Field;
import java.util.Hashtable;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.internal.ClientState;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import org.springframework.util.ReflectionUtils;

/**
 * A Paho 5 client that buffers publishes while it is not connected from the moment it is
 * created, sends its buffer after any connect, as Paho's MQTT 3.1.1 client does, and
 * tells the broker's Receive Maximum.
 * <p>
 * Paho 5 (1.2.5) buffers a publish made while disconnected only in its "resting" state,
 * which it enters only when it loses a connection it had; and it sends the buffer after a
 * connect only when that connect follows such a loss. A client whose first connect fails,
 * because the broker is down when the application starts, therefore fails every publish
 * with "Client is not connected (32104)" until it has once been connected; and what it
 * buffered while its first connect was in progress would stay in the buffer, with every
 * later publish queued behind it. The 3.1.1 client was changed to buffer and send on any
 * connect (Paho issue 352); the 5 client was not, and offers no public way to do either.
 * Both switches are public methods of Paho's connection object, which
 * {@link MqttAsyncClient} exposes to subclasses as the protected field {@code comms};
 * this class uses them and nothing else.
 * <p>
 * The Receive Maximum of the broker, the size of the client's in-flight window, Paho
 * learns from every CONNACK, reconnects included, but keeps to itself; its client state
 * reports it among its debug properties.
 * <p>
 * It never sends a publish by topic alias alone. Paho assigns a new alias before it
 * checks its in-flight window, and keeps it when it then refuses the publish for a full
 * window: the next publish to that topic would go out by an alias the broker never
 * learned (a protocol error that costs the connection), and this session could not store
 * it with its topic. The client's table of aliases in use is replaced, once, with one
 * that remembers none; Paho then still names an alias beside the full topic while it has
 * unused ones, which the broker may record and which nothing ever relies on.
 */
final class SessionMqttv5AsyncClient extends ConnectReportingMqttv5Client {

	private static final Log logger = LogFactory.getLog(SessionMqttv5AsyncClient.class);

	private static final int UNLIMITED = 65_535;

	SessionMqttv5AsyncClient(String serverURI, String clientId, MqttClientPersistence persistence,
			ConnectionFailures failures) throws MqttException {
		super(serverURI, clientId, persistence, failures);
		forgetTopicAliases();
	}

	private void forgetTopicAliases() {
		Field aliases = ReflectionUtils.findField(ClientState.class, "outgoingTopicAliases");
		if (aliases == null || !(this.comms.getClientState() instanceof ClientState state)) {
			logger.warn("Paho's client state has no table of outgoing topic aliases to replace; a publish Paho refuses"
					+ " for a full in-flight window may leave a topic alias the broker never learned");
			return;
		}
		ReflectionUtils.makeAccessible(aliases);
		ReflectionUtils.setField(aliases, state, new ForgetfulAliases());
	}

	@Override
	public IMqttToken publish(String topic, MqttMessage message, Object userContext, MqttActionListener callback)
			throws MqttException {
		// Resting only matters while not connected, where it makes Paho buffer instead of
		// failing. Paho clears it after each successful reconnect and sets it again only
		// once it notices the next loss, so it is set before every publish rather than
		// once.
		this.comms.setRestingState(true);
		return super.publish(topic, message, userContext, callback);
	}

	/**
	 * Sends what the offline buffer holds; called after a connect that Paho did not count
	 * as a reconnect, the one case where Paho itself leaves the buffer alone.
	 */
	void sendBufferAfterFirstConnect() {
		if (getBufferedMessageCount() > 0) {
			this.comms.notifyReconnect();
		}
	}

	/**
	 * The Receive Maximum of the last CONNACK, 65,535 when the broker sent none.
	 * @return how many QoS 1 and 2 publishes the broker takes at once
	 */
	int receiveMaximum() {
		Object value = this.comms.getClientState().getDebug().get("serverReceiveMaximum");
		return (value instanceof Integer receiveMaximum) ? receiveMaximum : UNLIMITED;
	}

	/**
	 * A table of topic aliases that keeps none, so that Paho always sends the full topic.
	 */
	private static final class ForgetfulAliases extends Hashtable<String, Integer> {

		@Override
		public synchronized Integer put(String topic, Integer alias) {
			return null;
		}

	}

}
