package io.github.mqttsession.integration;

import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.StoreWriteFailure;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * A client manager whose client's arriving messages wait at an {@link InboundGate} for
 * the inbound adapter. What the MQTT 3.1.1 and MQTT 5 managers share is written once in
 * their {@link SessionClientManagerSupport}.
 */
public interface SessionClientManager {

	/**
	 * The part of this manager that both MQTT versions share.
	 * @return the support
	 */
	SessionClientManagerSupport<?> sessionSupport();

	/**
	 * Sets the gate the inbound adapter opens once it has registered.
	 * @param inboundGate the gate
	 */
	default void setInboundGate(InboundGate inboundGate) {
		sessionSupport().setInboundGate(inboundGate);
	}

	/**
	 * The gate arriving messages wait at.
	 * @return the gate
	 */
	default InboundGate getInboundGate() {
		return sessionSupport().getInboundGate();
	}

	/**
	 * Fails when a message published now, while offline, would be rejected for the cap on
	 * pending messages.
	 * @param topic the topic of the message
	 * @throws io.github.mqttsession.persistence.PendingMessageLimitExceededException when
	 * it would be rejected
	 */
	default void checkRoomForOfflineMessage(String topic) {
		sessionSupport().persistence().checkRoomForOfflineMessage(topic);
	}

	/**
	 * Fails when this instance lost the lease on the client's session to another
	 * instance: it must not publish for a session another instance writes.
	 * @throws io.github.mqttsession.store.SessionLeaseLostException when it did
	 */
	default void requireSessionLease() {
		sessionSupport().persistence().requireLease();
	}

	/**
	 * Runs a publish through the client and returns once every message it stored is
	 * durable or acknowledged by the broker, waiting outside Paho's locks so that
	 * concurrent publishers share a commit.
	 * @param <T> what the publish returns
	 * @param <E> what it throws
	 * @param publish the publish
	 * @return what the publish returned
	 * @throws E when the publish fails
	 */
	default <T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E {
		return sessionSupport().persistence().publishDurably(publish);
	}

	/**
	 * Runs a write of the client's session once this instance owns it: each time the
	 * client opens the session, once its lease is taken, and at once when the session is
	 * open already. Until then the session may belong to another instance, and nothing of
	 * this one may be written to it.
	 * @param write the write; when it fails, the client does not start
	 */
	default void whenSessionOwned(Runnable write) {
		sessionSupport().persistence().whenOwned(write);
	}

	/**
	 * How many pending messages the client's session holds now.
	 * @return the count
	 */
	default int pendingMessageCount() {
		return sessionSupport().persistence().pendingMessageCount();
	}

	/**
	 * The client id the session is stored under.
	 * @return the client id
	 */
	String getClientId();

	/**
	 * Why the client is not connected: its last connect attempt failed, or its connection
	 * was lost.
	 * @return the failure since the client was last connected; absent when there is none
	 */
	default @Nullable ConnectFailure lastConnectFailure() {
		return sessionSupport().connectionFailures().last();
	}

	/**
	 * Why the client's session is not safe in the store: its writes failed, and none has
	 * landed since.
	 * @return the failures since the session's last write that landed; absent while
	 * writes land
	 */
	default @Nullable StoreWriteFailure lastStoreWriteFailure() {
		return sessionSupport().persistence().lastStoreWriteFailure();
	}

	/**
	 * The scheduler of the client's periodic work, apart from the application's own
	 * scheduled tasks.
	 * @return the scheduler
	 */
	default TaskScheduler getTaskScheduler() {
		return sessionSupport().getTaskScheduler();
	}

	/**
	 * Whether the client is connected to the broker.
	 * @return {@code true} when connected
	 */
	boolean isConnected();

}
