package io.github.mqttsession.persistence;

import java.util.List;
import java.util.concurrent.TimeoutException;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * The hand-overs of messages written in the application's transactions
 * ({@link PendingMessage.State#TRANSACTIONAL_OUTBOX}) to the client of one session: which
 * message the current thread's publish hands over, so that the store operation recording
 * the publish also removes it, and the messages of that state the session's last load
 * found.
 */
final class HandOvers {

	private static final Log logger = LogFactory.getLog(HandOvers.class);

	private final String clientId;

	private final PendingMessageWriter writer;

	/** The message the current thread's publish hands over, until a put takes it. */
	private final ThreadLocal<PendingMessage> current = new ThreadLocal<>();

	/** The messages the last load found, until the client takes them. */
	private volatile List<PendingMessage> restored = List.of();

	HandOvers(String clientId, PendingMessageWriter writer) {
		this.clientId = clientId;
		this.writer = writer;
	}

	void restored(List<PendingMessage> messages) {
		this.restored = messages;
	}

	List<PendingMessage> takeRestored() {
		List<PendingMessage> messages = this.restored;
		this.restored = List.of();
		return messages;
	}

	/**
	 * Takes the message the current thread hands over, for the put of its publish.
	 * @return the message; absent when the thread hands none over
	 */
	@Nullable PendingMessage take() {
		PendingMessage handedOver = this.current.get();
		if (handedOver != null) {
			this.current.remove();
		}
		return handedOver;
	}

	/**
	 * Runs the publish of a handed-over message through a durable publish; see
	 * {@link SessionStorePersistence#handOver}.
	 */
	<E extends Exception> void handOver(PendingMessage handedOver, DurablePublish<?, E> publish, Durably<E> durably)
			throws E {
		this.current.set(handedOver);
		boolean[] taken = new boolean[1];
		try {
			DurablePublish<@Nullable Object, E> marked = () -> {
				publish.publish();
				taken[0] = true;
				return null;
			};
			durably.publish(marked);
		}
		catch (RuntimeException ex) {
			if (!taken[0] || !(ex.getCause() instanceof TimeoutException)) {
				// Not taken, or taken but its write failed and will not be tried again:
				// the
				// row stays, and the message is handed over again (its subscriber may get
				// it twice, never not at all)
				throw ex;
			}
			logger.warn(
					"Client '" + this.clientId + "' took the message to '" + handedOver.topic()
							+ "' written in a transaction, but its store write did not land in time; it stays queued",
					ex);
		}
		finally {
			boolean stored = this.current.get() == null;
			this.current.remove();
			if (taken[0] && !stored) {
				// Paho stores no record of it (QoS 0 while connected)
				this.writer.remove(handedOver.key()).await();
			}
		}
	}

	/**
	 * A publish that returns once what it stored is durable.
	 *
	 * @param <E> what the publish throws
	 */
	@FunctionalInterface
	interface Durably<E extends Exception> {

		void publish(DurablePublish<@Nullable Object, E> publish) throws E;

	}

}
