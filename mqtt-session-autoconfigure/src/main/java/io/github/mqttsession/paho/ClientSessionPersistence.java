package io.github.mqttsession.paho;

import java.time.Duration;

import java.util.List;
import java.util.function.Consumer;

import io.github.mqttsession.persistence.DurablePublish;
import io.github.mqttsession.persistence.InboundHandling;
import io.github.mqttsession.persistence.PendingMessageLimitExceededException;
import io.github.mqttsession.persistence.PublishTimeoutException;
import io.github.mqttsession.persistence.SendWindow;
import io.github.mqttsession.persistence.StoreWriteFailure;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeaseLostException;
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
	 * Adds a listener that hears when this instance loses the lease on the open session
	 * to another instance: every publish fails from then on, until the session is opened
	 * again.
	 * @param listener the listener, told once per loss, on the thread that found it
	 */
	void onLeaseLost(Consumer<SessionLeaseLostException> listener);

	/**
	 * Fails when this instance lost the lease on the session since it opened it.
	 * @throws SessionLeaseLostException when it did
	 */
	void requireLease();

	/**
	 * Renews the lease on the open session now, if one is held, so that its loss is found
	 * before the client reconnects; a loss reaches the {@linkplain #onLeaseLost
	 * listeners}.
	 */
	void confirmLease();

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
	 * @throws SessionLeaseLostException when this instance lost the lease on the session;
	 * nothing is published then
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
	 * Sets how long a new outbound publish may wait for the broker's acknowledgement
	 * before the store writes it: one acknowledged in that time is never written. Applies
	 * to stores that {@linkplain io.github.mqttsession.store.SessionStore#gathersWrites()
	 * gather writes}; by default
	 * {@link io.github.mqttsession.persistence.PendingMessageWriter#DEFAULT_WRITE_DELAY}
	 * (10 ms).
	 * @param writeDelay the delay, not negative; 0 writes every publish at once
	 */
	void setWriteDelay(Duration writeDelay);

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

	/**
	 * Hands a message written in the application's transaction to the client: its publish
	 * runs as {@link #publishDurably} does, and the store operation that records the
	 * publish also removes the handed-over message; when the publish fails before the
	 * client took the message, it stays stored.
	 * @param <E> what the publish throws
	 * @param handedOver the message handed over
	 * @param publish the publish of the message
	 * @throws E when the publish fails
	 */
	<E extends Exception> void handOver(PendingMessage handedOver, DurablePublish<?, E> publish) throws E;

	/**
	 * The messages written in the application's transactions that the session held when
	 * it was last opened, in the order they were stored; none on later calls.
	 * @return the messages
	 */
	List<PendingMessage> takeRestoredOutbox();

	/**
	 * Fails, whatever the overflow policy, when the session has no room for one more
	 * message written in the application's transaction.
	 * @param topic the message's topic
	 * @param waiting how many messages written in transactions wait for their hand-over
	 * @throws PendingMessageLimitExceededException when there is no room
	 */
	void checkRoomInTransaction(String topic, int waiting);

	/**
	 * The inbound QoS 2 messages of the session handled in the application's
	 * transactions.
	 * @return the messages
	 */
	InboundHandling inboundHandling();

}
