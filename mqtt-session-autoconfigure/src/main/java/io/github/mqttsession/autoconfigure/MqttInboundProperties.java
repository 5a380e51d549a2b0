package io.github.mqttsession.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the inbound adapter, under {@code mqtt.inbound}.
 */
@ConfigurationProperties("mqtt.inbound")
public class MqttInboundProperties {

	/**
	 * Whether to create the inbound adapter.
	 */
	private boolean enabled = true;

	/**
	 * Topic filters to subscribe to, each with its QoS. With clean-session=false the
	 * subscriptions stored for the client id are subscribed too.
	 */
	private List<Topic> topics = new ArrayList<>();

	/**
	 * Name of the channel arriving messages are sent to. A DirectChannel of that name is
	 * defined unless the application defines a channel of that name itself.
	 */
	private String channel = "mqttInboundChannel";

	/**
	 * When an arriving QoS 1 or 2 message is acknowledged to the broker: 'auto' once the
	 * inbound flow has handled it (the send to the channel returned) or the error channel
	 * took what the flow failed on, 'manual' when the application calls the
	 * acknowledgment callback in the message's headers.
	 */
	private Acknowledgement acknowledgement = Acknowledgement.AUTO;

	/**
	 * Name of the channel an arriving message goes to, as an ErrorMessage with the
	 * exception, when the inbound flow fails on it. With 'auto' acknowledgement the
	 * message is then acknowledged, so that it does not come again; with 'manual'
	 * acknowledgement the application decides. Spring Integration's default error channel
	 * logs it.
	 */
	private String errorChannel = "errorChannel";

	/**
	 * Whether the inbound flow runs in a transaction of the application's transaction
	 * manager on the session store's DataSource, which also records that a QoS 2 message
	 * was handled: its effect in the application's tables is then exactly once, crash or
	 * not. Needs the JPA session store and a channel that hands messages over directly (a
	 * DirectChannel).
	 */
	private boolean transactional = false;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<Topic> getTopics() {
		return this.topics;
	}

	public void setTopics(List<Topic> topics) {
		this.topics = topics;
	}

	public String getChannel() {
		return this.channel;
	}

	public void setChannel(String channel) {
		this.channel = channel;
	}

	public String getErrorChannel() {
		return this.errorChannel;
	}

	public void setErrorChannel(String errorChannel) {
		this.errorChannel = errorChannel;
	}

	public boolean isTransactional() {
		return this.transactional;
	}

	public void setTransactional(boolean transactional) {
		this.transactional = transactional;
	}

	public Acknowledgement getAcknowledgement() {
		return this.acknowledgement;
	}

	public void setAcknowledgement(Acknowledgement acknowledgement) {
		this.acknowledgement = acknowledgement;
	}

	/** When arriving messages are acknowledged. */
	public enum Acknowledgement {

		/** Once the inbound flow has handled the message. */
		AUTO,

		/** When the application acknowledges the message. */
		MANUAL

	}

	/** A topic filter and its QoS. */
	public static class Topic {

		/**
		 * Topic filter, wildcards allowed: sensors/#, rooms/+/temperature.
		 */
		private String filter;

		/**
		 * Maximum QoS to receive messages with: 0, 1 or 2.
		 */
		private int qos = 1;

		public String getFilter() {
			return this.filter;
		}

		public void setFilter(String filter) {
			this.filter = filter;
		}

		public int getQos() {
			return this.qos;
		}

		public void setQos(int qos) {
			this.qos = qos;
		}

	}

}
