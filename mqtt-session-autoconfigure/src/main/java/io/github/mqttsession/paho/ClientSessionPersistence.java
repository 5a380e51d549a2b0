package io.github.mqttsession.paho;

import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.PendingMessageLimitExceededException;
import io.github.mqttsession.persistence.PublishTimeoutException;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.StoreWriteFailure;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * What a client manager, and the configuration that builds it, ask of its client's
 * session persistence, the same for MQTT 3.1.1 and MQTT 5: no method carries a Paho type,
 * so what both versions share is written once against this.
 */
public interface ClientSessionPersistence {

	/**
	 * Sets the scheduler that renews the session's lease while the client runs; needed
	 * when the persistence was created with a lease.
	 * @param taskScheduler the scheduler
	 */
	void setTaskScheduler(TaskScheduler taskScheduler);

	/**
	 * Runs a write of the session that must wait until this instance owns it: each time
	 * the persistence opens the session, once its lease is taken, and at once when the
	 * session is open already. Nothing is written to the store before then, so that an
	 * instance waiting for another's lease changes nothing that one holds.
	 * @param write the write; when it fails, so does the open, and with it the client's
	 * start
	 */
	void whenOwned(Runnable write);

	/**
	 * How many pending messages the session holds now.
	 * @return the count
	 */
	int pendingMessageCount();

	/**
	 * The writes of the session that failed since its last write that landed.
	 * @return the failures; absent while writes land
	 */
	@Nullable StoreWriteFailure lastStoreWriteFailure();

	/**
	 * Closes, and gives the client id back so that another client in this process may use
	 * it.
	 */
	void release();

	/**
	 * Fails with a {@link PendingMessageLimitExceededException} when a message published
	 * now, while offline, would be rejected for the cap on pending messages: a publisher
	 * learns it before Paho takes the message.
	 * @param topic the topic of the message
	 */
	void checkRoomForOfflineMessage(String topic);

	/**
	 * Runs a publish through the client of this persistence once its in-flight window has
	 * room, and returns once every message it stored is durable, or already acknowledged
	 * by the broker. Paho stores a message while it holds a lock its sender thread needs;
	 * published this way, the wait happens after Paho let go of it, so that concurrent
	 * publishers share one commit of a store that
	 * {@linkplain io.github.mqttsession.store.SessionStore#gathersWrites() gathers
	 * writes}. A message published without this method is durable when Paho's
	 * {@code publish} returns, one commit at a time.
	 * @param <T> what the publish returns, such as Paho's token
	 * @param <E> what it throws
	 * @param publish the publish, such as {@code () -> client.publish(topic, message)}
	 * @return what the publish returned
	 * @throws E when the publish fails
	 * @throws PublishTimeoutException when the in-flight window stayed full for the
	 * {@linkplain #sendWindow() time limit}; nothing of the message was stored
	 * @throws io.github.mqttsession.store.SessionStoreException when the message could
	 * not be stored; Paho may still deliver it
	 */
	<T, E extends Exception> T publishDurably(DurablePublish<T, E> publish) throws E;

	/**
	 * The client's in-flight window, in which {@link #publishDurably} waits for room; the
	 * client manager sets its size, how it learns that the client is connected, and its
	 * time limit.
	 * @return the window
	 */
	SendWindow sendWindow();

	/**
	 * Deals with a connect where the broker reports no session: pending publishes are
	 * sent again with a warning, and QoS 2 releases, complete from the client's side, are
	 * dropped with an info log.
	 */
	void brokerHasNoSession();

	/**
	 * The last packet id the session had used when it was loaded, for a client to carry
	 * on from.
	 * @return the packet id, 0 when none
	 */
	int restoredPacketId();

}
