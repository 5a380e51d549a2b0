package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.github.mqttsession.store.PendingMessage;
import org.jspecify.annotations.Nullable;

/**
 * The inbound QoS 2 messages of a session whose handling joins the application's
 * transaction ({@code mqtt.inbound.transactional}): which of them that transaction has
 * handled, so that a delivery of one again is skipped and its effect stays in the
 * application's tables once.
 * <p>
 * The application's transaction writes the {@link PendingMessage.State#INBOUND_HANDLED}
 * mark of a message whose {@link PendingMessage.State#INBOUND_PUBLISH} record is stored;
 * once the client completes the message, one store write removes both (the broker may use
 * the packet id again after that). The MQTT 5 client completes a release (PUBREL) at
 * once, often before the message was handled: then the record is not removed but kept as
 * an {@link PendingMessage.State#INBOUND_RELEASED} one under a number of its own, and the
 * transaction that handles it removes it. Messages the client will not deliver (MQTT 5
 * records restored after a restart, messages whose flow failed) are
 * {@linkplain #toRedeliver() handed out again}.
 * <p>
 * Deliveries are matched to their message by the object the client delivers, which it
 * stored (the message object on MQTT 3.1.1, the payload array on MQTT 5, whose client
 * delivers each message as a new object); otherwise, as for a message the MQTT 3.1.1
 * client restored, by the packet id of the stored record. The commit of a handling
 * transaction runs under this class's lock, so that a release waits for it and finds the
 * message handled, or the transaction finds the message released.
 */
public final class InboundHandling {

	private final boolean mqtt5;

	private final PendingMessageWriter writer;

	private final Object lock = new Object();

	private volatile boolean enabled;

	/** Messages whose {@code INBOUND_PUBLISH} record is stored, by packet id. */
	private final Map<Integer, Received> received = new LinkedHashMap<>();

	/** Messages released before they were handled, by number. */
	private final Map<Integer, Received> released = new LinkedHashMap<>();

	private final Map<Object, Received> byIdentity = new IdentityHashMap<>();

	InboundHandling(boolean mqtt5, PendingMessageWriter writer) {
		this.mqtt5 = mqtt5;
		this.writer = writer;
	}

	/**
	 * Tracks the session's inbound QoS 2 messages from the next open of the session on.
	 */
	public void enable() {
		this.enabled = true;
	}

	/**
	 * Whether the session's inbound messages are handled in the application's
	 * transaction.
	 * @return {@code true} once enabled
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Takes over what the store held when the session was opened.
	 * @param inboundPublishes the stored {@code INBOUND_PUBLISH} records
	 * @param marks the stored {@code INBOUND_HANDLED} and {@code INBOUND_RELEASED}
	 * records
	 */
	void restored(List<PendingMessage> inboundPublishes, List<PendingMessage> marks) {
		synchronized (this.lock) {
			this.received.clear();
			this.released.clear();
			this.byIdentity.clear();
			Set<Integer> handled = new HashSet<>();
			for (PendingMessage mark : marks) {
				if (mark.state() == PendingMessage.State.INBOUND_HANDLED) {
					handled.add(mark.packetId());
				}
				else {
					// Never delivered by the client: it completed the message already
					this.released.put(mark.packetId(), new Received(mark, false));
				}
			}
			for (PendingMessage record : inboundPublishes) {
				// The MQTT 3.1.1 client delivers a restored message once it is released;
				// the MQTT 5 client never does
				Received message = new Received(record, !this.mqtt5);
				message.handled = handled.remove(record.packetId());
				this.received.put(record.packetId(), message);
			}
			for (int packetId : handled) {
				// A mark without its message's record: both are removed in one write, so
				// this is none of ours to keep
				this.writer.remove(new PendingMessage.Key(PendingMessage.State.INBOUND_HANDLED, packetId));
			}
		}
	}

	/**
	 * Tracks a stored {@code INBOUND_PUBLISH} record, which the client is about to
	 * deliver.
	 * @param record the record
	 * @param identity the object the client delivers the message as; absent when not
	 * known
	 */
	void stored(PendingMessage record, @Nullable Object identity) {
		synchronized (this.lock) {
			Received message = this.received.get(record.packetId());
			if (message == null) {
				message = new Received(record, true);
				this.received.put(record.packetId(), message);
			}
			else {
				// The broker sent the message again: the same message, delivered again
				message.withClient = true;
			}
			if (identity != null) {
				track(message, identity);
			}
		}
	}

	/**
	 * The write that removes an {@code INBOUND_PUBLISH} record the client completes: with
	 * its mark when the message was handled; on MQTT 5, when it was not, a write that
	 * keeps it as an {@code INBOUND_RELEASED} record instead.
	 * @param key the record's key
	 * @return the write
	 */
	PendingWrite completed(PendingMessage.Key key) {
		synchronized (this.lock) {
			Received message = this.received.remove(key.packetId());
			if (message == null) {
				return this.writer.remove(key);
			}
			if (message.handled) {
				forget(message);
				return this.writer.removeBoth(key, key.in(PendingMessage.State.INBOUND_HANDLED));
			}
			if (message.done || !this.mqtt5) {
				forget(message);
				return this.writer.remove(key);
			}
			PendingMessage record = message.record;
			int number = freeNumber();
			message.record = new PendingMessage(PendingMessage.State.INBOUND_RELEASED, number, record.topic(),
					record.payload(), record.qos(), record.retained(), record.duplicate(), record.properties());
			this.released.put(number, message);
			message.write = this.writer.replace(key, message.record, null);
			return message.write;
		}
	}

	private int freeNumber() {
		for (int number = 1; number <= 65_535; number++) {
			if (!this.released.containsKey(number)) {
				return number;
			}
		}
		throw new IllegalStateException("65,535 released inbound messages wait for their handling already");
	}

	/**
	 * The message a delivery of the client is of.
	 * @param identity the object delivered
	 * @param packetId the packet id it was delivered with
	 * @return the message; absent when none is tracked
	 */
	public @Nullable Received delivered(Object identity, int packetId) {
		synchronized (this.lock) {
			Received message = this.byIdentity.get(identity);
			if (message == null) {
				message = this.received.get(packetId);
			}
			return message;
		}
	}

	/**
	 * Whether a message needs no handling any longer: it was handled, or given up.
	 * @param message the message
	 * @return {@code true} when it does not
	 */
	public boolean isFinished(Received message) {
		synchronized (this.lock) {
			return message.handled || message.done;
		}
	}

	/**
	 * Commits the transaction that handled a message, together with its record of that:
	 * unless the message was handled or given up meanwhile, which the caller then rolls
	 * back.
	 * @param message the message
	 * @param record writes the record, in the transaction, of the message's key
	 * @param commit commits the transaction
	 * @return {@code true} when the transaction committed; {@code false} when the message
	 * needs no handling any longer
	 */
	public boolean commit(Received message, Consumer<PendingMessage.Key> record, Runnable commit) {
		synchronized (this.lock) {
			if (message.handled || message.done) {
				return false;
			}
			PendingWrite stored = message.write;
			if (stored != null) {
				// The record the transaction removes or marks is in the store first
				stored.await();
			}
			record.accept(message.record.key());
			commit.run();
			message.handled = true;
			if (message.record.state() == PendingMessage.State.INBOUND_RELEASED) {
				message.done = true;
				this.released.remove(message.record.packetId());
				forget(message);
			}
			return true;
		}
	}

	/**
	 * Records that a message's flow failed and its transaction rolled back: it is handed
	 * out again unless the client delivers it.
	 * @param message the message
	 */
	public void failed(Received message) {
		synchronized (this.lock) {
			message.withClient = false;
		}
	}

	/**
	 * Gives a message up whose flow failed and whose failure the error channel took: it
	 * is complete, as without transactions, and is not handed out again.
	 * @param message the message
	 */
	public void givenUp(Received message) {
		PendingWrite removal = null;
		synchronized (this.lock) {
			if (message.handled || message.done) {
				return;
			}
			message.done = true;
			if (message.record.state() == PendingMessage.State.INBOUND_RELEASED) {
				this.released.remove(message.record.packetId());
				forget(message);
				removal = this.writer.remove(message.record.key());
			}
		}
		if (removal != null) {
			removal.await();
		}
	}

	/**
	 * The messages the client will not deliver and no flow handled yet, in the order they
	 * arrived; each is handed out once, until its flow fails again.
	 * @return the messages
	 */
	public List<Received> toRedeliver() {
		synchronized (this.lock) {
			List<Received> messages = new ArrayList<>();
			for (Map<Integer, Received> tracked : List.of(this.released, this.received)) {
				for (Received message : tracked.values()) {
					if (!message.withClient && !message.handled && !message.done) {
						message.withClient = true;
						messages.add(message);
					}
				}
			}
			return messages;
		}
	}

	/**
	 * Tracks the object a message is delivered as.
	 * @param message the message
	 * @param identity the object
	 */
	public void track(Received message, Object identity) {
		synchronized (this.lock) {
			this.byIdentity.put(identity, message);
			message.identities.add(identity);
		}
	}

	/** Forgets every message, the session having been deleted. */
	void clear() {
		synchronized (this.lock) {
			this.received.clear();
			this.released.clear();
			this.byIdentity.clear();
		}
	}

	private void forget(Received message) {
		for (Object identity : message.identities) {
			this.byIdentity.remove(identity);
		}
		message.identities.clear();
	}

	/** A received QoS 2 message, as this session tracks it. */
	public static final class Received {

		private volatile PendingMessage record;

		private boolean withClient;

		private boolean handled;

		private boolean done;

		private @Nullable PendingWrite write;

		private final List<Object> identities = new ArrayList<>(1);

		Received(PendingMessage record, boolean withClient) {
			this.record = record;
			this.withClient = withClient;
		}

		/**
		 * The message's record now.
		 * @return an {@code INBOUND_PUBLISH} or {@code INBOUND_RELEASED} record
		 */
		public PendingMessage record() {
			return this.record;
		}

	}

}
