package io.github.mqttsession.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.github.mqttsession.persistence.PendingMessageWriter;
import io.github.mqttsession.persistence.PendingWrite;
import io.github.mqttsession.store.PendingMessage;
import org.jspecify.annotations.Nullable;

/**
 * Changes the {@linkplain HeldMessages held messages} of a session and queues the
 * matching writes in one order: under this class's lock, so that two changes racing each
 * other (the drain thread's removal of a buffered record against the callback thread's
 * PUBCOMP, say) reach the write queue in the order the map saw them. The waits for the
 * writes happen outside the lock.
 */
final class OrderedWrites {

	private final String clientId;

	private final HeldMessages messages;

	private final PendingMessageWriter writer;

	private final SessionPersistenceListener listener;

	private final Object lock = new Object();

	OrderedWrites(String clientId, HeldMessages messages, PendingMessageWriter writer,
			SessionPersistenceListener listener) {
		this.clientId = clientId;
		this.messages = messages;
		this.writer = writer;
		this.listener = listener;
	}

	/**
	 * Holds a message Paho stores and queues its write; a resend of a buffered message
	 * whose send Paho undid takes the old buffered record's place in one store operation.
	 * @param message the message
	 * @param written run once the message is written
	 * @param handedOver the key of the message written in the application's transaction
	 * that this publish hands to the client, which the same store operation removes;
	 * absent for none
	 * @param acknowledgeable whether the client sends the message while its write is
	 * queued, so that its acknowledgement may make the write needless
	 * @return the write, what is held, and whether a buffered record covers the message
	 * until it is written
	 */
	Stored add(PendingMessage message, Runnable written, PendingMessage.@Nullable Key handedOver,
			boolean acknowledgeable) {
		PendingMessage.Key key = message.key();
		boolean publish = key.state() == PendingMessage.State.OUTBOUND_PUBLISH;
		synchronized (this.lock) {
			PendingMessage.Key resent = publish ? this.messages.undoneBufferedMessage(message) : null;
			boolean coveredByBufferedRecord = publish
					&& (resent != null || this.messages.contains(key.in(PendingMessage.State.OFFLINE_BUFFERED)));
			HeldMessages.Held previous = (resent != null) ? this.messages.forget(resent) : null;
			PendingWrite write;
			if (resent != null && previous != null) {
				write = this.writer.replace(resent, message, written);
			}
			else if (handedOver != null) {
				write = this.writer.replace(handedOver, message, written);
			}
			else {
				write = this.writer.add(message, !this.messages.contains(key), acknowledgeable, written);
			}
			return new Stored(write, this.messages.hold(key, message), coveredByBufferedRecord);
		}
	}

	/**
	 * Lets go of a message whose write failed or did not land in time, unless another
	 * took its key meanwhile, and queues its removal: a write that is still queued is
	 * dropped, and one the store takes late is undone, so that a message its client never
	 * sent is not stored.
	 * @param key the message's key
	 * @param held what {@link #add} held
	 */
	void abandon(PendingMessage.Key key, HeldMessages.Held held) {
		synchronized (this.lock) {
			this.messages.forgetUnwritten(key, held);
			if (!this.messages.contains(key)) {
				this.writer.remove(key);
			}
		}
	}

	/**
	 * Lets go of every held message, the session having been deleted: under the lock, so
	 * that a message stored at the same time is either cleared with the rest or held
	 * afterwards, and the window's count stays that of the map.
	 */
	void clear() {
		synchronized (this.lock) {
			this.messages.clear();
		}
	}

	/**
	 * Lets go of a message Paho removes and queues its deletion; a key that was never
	 * stored costs nothing.
	 * @param key the message's key
	 * @param storeRemoval the write that removes the message from the store
	 * @return the write; absent when nothing was held under the key
	 */
	@Nullable PendingWrite remove(PendingMessage.Key key, Function<PendingMessage.Key, PendingWrite> storeRemoval) {
		synchronized (this.lock) {
			HeldMessages.Removal removal = this.messages.remove(key);
			if (removal == null) {
				return null;
			}
			HeldMessages.Held removed = removal.removed();
			// Heard when the session lets go of the message, as the pending count drops,
			// not when the write lands.
			this.listener.removed(this.clientId, removed.state(), removed.packetId());
			if (removal.buffered() != null) {
				this.listener.removed(this.clientId, PendingMessage.State.OFFLINE_BUFFERED, removed.packetId());
				return this.writer.removeBoth(key, removal.bufferedKey());
			}
			return storeRemoval.apply(key);
		}
	}

	/**
	 * Drops the buffered messages among these keys whose expiry has passed, and waits for
	 * their deletion.
	 * @param keys the keys of buffered messages
	 * @param now the time now
	 * @return the messages dropped
	 */
	List<PendingMessage> dropExpired(List<PendingMessage.Key> keys, Instant now) {
		List<PendingMessage> dropped = new ArrayList<>();
		List<PendingWrite> writes = new ArrayList<>();
		synchronized (this.lock) {
			for (PendingMessage.Key key : keys) {
				HeldMessages.Held held = this.messages.get(key);
				PendingMessage buffered = (held != null) ? held.buffered() : null;
				if (buffered != null && OfflineExpiry.isExpired(buffered, now)) {
					this.messages.forgetBuffered(key);
					writes.add(this.writer.remove(key));
					dropped.add(buffered);
				}
			}
		}
		for (PendingWrite write : writes) {
			write.await();
		}
		return dropped;
	}

	/**
	 * Drops a buffered message and waits for its deletion.
	 * @param key the buffered message's key
	 * @return the message dropped; absent when it is no longer held
	 */
	@Nullable PendingMessage dropBuffered(PendingMessage.Key key) {
		PendingMessage dropped;
		PendingWrite write;
		synchronized (this.lock) {
			HeldMessages.Held held = this.messages.get(key);
			this.messages.forgetBuffered(key);
			dropped = (held != null) ? held.buffered() : null;
			if (held == null || dropped == null) {
				return null;
			}
			write = this.writer.remove(key);
		}
		write.await();
		return dropped;
	}

	/**
	 * A message held and its write queued.
	 *
	 * @param write the write
	 * @param held what is held, to forget should the write fail
	 * @param coveredByBufferedRecord whether the message is a buffered one's send, whose
	 * buffered record stays stored until this write is
	 */
	record Stored(PendingWrite write, HeldMessages.Held held, boolean coveredByBufferedRecord) {
	}

}
