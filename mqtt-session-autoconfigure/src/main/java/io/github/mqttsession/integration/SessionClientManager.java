package io.github.mqttsession.integration;

/** A client manager whose client's arriving messages wait at an {@link InboundGate} for the inbound adapter. */
public interface SessionClientManager {

	/**
	 * Sets the gate the inbound adapter opens once it has registered.
	 * @param inboundGate the gate
	 */
	void setInboundGate(InboundGate inboundGate);

	/**
	 * The gate arriving messages wait at.
	 * @return the gate
	 */
	InboundGate getInboundGate();

	/**
	 * Fails when a message published now, while offline, would be rejected for the cap on pending messages.
	 * @param topic the topic of the message
	 * @throws io.github.mqttsession.paho.PendingMessageLimitExceededException when it would be rejected
	 */
	void checkRoomForOfflineMessage(String topic);

	/**
	 * How many pending messages the client's session holds now.
	 * @return the count
	 */
	int pendingMessageCount();

	/**
	 * The client id the session is stored under.
	 * @return the client id
	 */
	String getClientId();

	/**
	 * Whether the client is connected to the broker.
	 * @return {@code true} when connected
	 */
	boolean isConnected();

}
