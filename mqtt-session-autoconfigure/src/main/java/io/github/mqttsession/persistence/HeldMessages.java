package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

import io.github.mqttsession.store.PendingMessage;
import org.jspecify.annotations.Nullable;

/**
 * The messages a session holds, by their {@linkplain PendingMessage.Key key}, so that
 * Paho's reads of keys, its {@code containsKey} checks and its removals of keys it never
 * stored cost no statement; with them the buffered keys in the order they were buffered
 * (the candidates of {@code drop-oldest}) and the buffered messages whose send Paho
 * undid.
 * <p>
 * Every change goes through this class, which keeps the indexes and the
 * {@link SendWindow}'s count in step with the map: a buffered key is held, an undone key
 * is a buffered key that is held, and the window counts the held outbound publishes.
 * Changes that queue a write are made under {@link OrderedWrites}'s lock, so that the map
 * and the write queue change in one order; this class's own lock guards only the walk
 * over the undone keys.
 */
final class HeldMessages {

	/**
	 * Every stored message by its key; only its identity, and the whole message while it
	 * is offline-buffered.
	 */
	private final Map<PendingMessage.Key, Held> messages = new ConcurrentHashMap<>();

	/**
	 * Keys of messages buffered while offline, oldest first: the candidates of
	 * {@code drop-oldest}.
	 */
	private final ConcurrentLinkedDeque<PendingMessage.Key> bufferedKeys = new ConcurrentLinkedDeque<>();

	/**
	 * Buffered messages whose send Paho undid, oldest first: they come back as publishes
	 * with new packet ids.
	 */
	private final Set<PendingMessage.Key> undoneBufferedKeys = Collections.synchronizedSet(new LinkedHashSet<>());

	/**
	 * Counts the outbound publishes held here, which fill the client's in-flight window.
	 */
	private final SendWindow window;

	HeldMessages(SendWindow window) {
		this.window = window;
	}

	/**
	 * Holds the messages of a loaded session in place of any held before.
	 * @param restored the messages
	 */
	void restore(List<PendingMessage> restored) {
		this.messages.clear();
		this.bufferedKeys.clear();
		this.undoneBufferedKeys.clear();
		int publishes = 0;
		for (PendingMessage message : restored) {
			PendingMessage.Key key = message.key();
			this.messages.put(key, Held.of(message));
			if (message.state() == PendingMessage.State.OFFLINE_BUFFERED) {
				this.bufferedKeys.add(key);
			}
			else if (message.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
				publishes++;
			}
		}
		this.window.reset(publishes);
	}

	/** Holds nothing: the session was deleted. */
	void clear() {
		restore(List.of());
	}

	/**
	 * Holds a message under a key, in place of the one held under it before.
	 * @param key the message's key
	 * @param message the message
	 * @return what is held, to {@linkplain #forgetUnwritten forget} should its write fail
	 */
	Held hold(PendingMessage.Key key, PendingMessage message) {
		Held held = Held.of(message);
		if (this.messages.put(key, held) == null) {
			if (held.state() == PendingMessage.State.OFFLINE_BUFFERED) {
				this.bufferedKeys.add(key);
			}
			else if (held.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
				this.window.added();
			}
		}
		return held;
	}

	/**
	 * Lets go of a message whose write failed, unless another took its key meanwhile.
	 * @param key the message's key
	 * @param held what {@link #hold} returned
	 */
	void forgetUnwritten(PendingMessage.Key key, Held held) {
		if (this.messages.remove(key, held)) {
			unindex(key, held);
		}
	}

	/**
	 * Lets go of a message.
	 * @param key the message's key
	 * @return what was held; absent when nothing was
	 */
	@Nullable Held forget(PendingMessage.Key key) {
		Held held = this.messages.remove(key);
		if (held != null) {
			unindex(key, held);
		}
		return held;
	}

	/**
	 * Lets go of a buffered message, and of its key in every index even when the map no
	 * longer holds it, so that {@code drop-oldest} never meets it again.
	 * @param key the buffered message's key
	 */
	void forgetBuffered(PendingMessage.Key key) {
		this.messages.remove(key);
		this.bufferedKeys.remove(key);
		this.undoneBufferedKeys.remove(key);
	}

	private void unindex(PendingMessage.Key key, Held held) {
		if (held.state() == PendingMessage.State.OFFLINE_BUFFERED) {
			this.bufferedKeys.remove(key);
			this.undoneBufferedKeys.remove(key);
		}
		else if (held.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
			this.window.removed();
		}
	}

	/**
	 * Lets go of a message as Paho removes it: a PUBCOMP for a message that was buffered
	 * lets go of its buffered record with it, so that no crash can leave that behind
	 * alone, to be published a second time after a restart; an outbound record removed
	 * while its buffered record is still held marks the buffered message undone.
	 * @param key the message's key
	 * @return what was let go; absent when nothing was held under the key
	 */
	@Nullable Removal remove(PendingMessage.Key key) {
		Held removed = forget(key);
		if (removed == null) {
			if (key.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
				// Paho undoes a send that failed before the publish was stored (a full
				// in-flight window, say) by removing its key; a buffered message whose
				// send was undone so comes back under a new packet id.
				markUndoneIfBuffered(key);
			}
			return null;
		}
		PendingMessage.Key bufferedKey = removed.key().in(PendingMessage.State.OFFLINE_BUFFERED);
		if (removed.state() != PendingMessage.State.OFFLINE_BUFFERED && completesQos2Send(removed)
				&& this.messages.containsKey(bufferedKey)) {
			return new Removal(removed, bufferedKey, forget(bufferedKey));
		}
		if (removed.state() != PendingMessage.State.OFFLINE_BUFFERED) {
			// Paho undid the send (an acknowledgement removes the buffered record right
			// after, which clears the mark)
			markUndoneIfBuffered(removed.key());
		}
		return new Removal(removed, bufferedKey, null);
	}

	/**
	 * Whether a removal is part of PUBCOMP: of the release, or of the publish while its
	 * release is held.
	 */
	private boolean completesQos2Send(Held removed) {
		return removed.state() == PendingMessage.State.OUTBOUND_PUBREL
				|| (removed.state() == PendingMessage.State.OUTBOUND_PUBLISH
						&& this.messages.containsKey(removed.key().in(PendingMessage.State.OUTBOUND_PUBREL)));
	}

	/**
	 * Marks the buffered message of an outbound publish's packet id as undone, if it is
	 * held: Paho sends it again later under a new packet id.
	 * @param key the outbound publish's key
	 */
	void markUndoneIfBuffered(PendingMessage.Key key) {
		if (key.state() == PendingMessage.State.OUTBOUND_PUBLISH) {
			PendingMessage.Key buffered = key.in(PendingMessage.State.OFFLINE_BUFFERED);
			if (this.messages.containsKey(buffered)) {
				this.undoneBufferedKeys.add(buffered);
			}
		}
	}

	/**
	 * The key of a buffered message whose send Paho undid and now sends again under
	 * another packet id, if this publish is that message.
	 * <p>
	 * Paho sends a buffered message by storing it as an outbound publish and then
	 * removing its buffered record. When that send fails (the connection drops while it
	 * is stored), Paho removes the outbound record again and keeps the message in its
	 * memory buffer, with its buffered record still stored; it sends it later under a new
	 * packet id, and only ever removes the buffered record of that new id. Left alone,
	 * the old buffered record would be published again after a restart: a duplicate. The
	 * buffer drains oldest first, so the resend is the oldest undone message with the
	 * same topic, QoS, retain flag and payload.
	 * @param message the outbound publish Paho stores
	 * @return the undone buffered message's key, if this publish is one
	 */
	PendingMessage.@Nullable Key undoneBufferedMessage(PendingMessage message) {
		if (this.undoneBufferedKeys.isEmpty() || this.messages
			.containsKey(new PendingMessage.Key(PendingMessage.State.OFFLINE_BUFFERED, message.packetId()))) {
			return null;
		}
		synchronized (this.undoneBufferedKeys) {
			for (PendingMessage.Key key : this.undoneBufferedKeys) {
				Held held = this.messages.get(key);
				PendingMessage candidate = (held != null) ? held.buffered() : null;
				if (candidate != null && candidate.qos() == message.qos() && candidate.retained() == message.retained()
						&& candidate.topic().equals(message.topic())
						&& Arrays.equals(candidate.payload(), message.payload())) {
					return key;
				}
			}
		}
		return null;
	}

	@Nullable Held get(PendingMessage.Key key) {
		return this.messages.get(key);
	}

	boolean contains(PendingMessage.Key key) {
		return this.messages.containsKey(key);
	}

	int size() {
		return this.messages.size();
	}

	List<PendingMessage.Key> keys() {
		return List.copyOf(this.messages.keySet());
	}

	/**
	 * The key of the oldest buffered message.
	 * @return the key; absent when none is buffered
	 */
	PendingMessage.@Nullable Key oldestBuffered() {
		return this.bufferedKeys.peekFirst();
	}

	/**
	 * The keys of the messages held in one state.
	 * @param state the state
	 * @return the keys
	 */
	List<PendingMessage.Key> keysIn(PendingMessage.State state) {
		List<PendingMessage.Key> keys = new ArrayList<>();
		this.messages.forEach((key, held) -> {
			if (held.state() == state) {
				keys.add(key);
			}
		});
		return keys;
	}

	/**
	 * What is held of a stored message: its identity, and the whole message only while it
	 * is offline-buffered (drop-oldest reports it, and an undone send is recognised by
	 * its content). Paho holds the rest itself.
	 */
	record Held(PendingMessage.Key key, @Nullable PendingMessage buffered) {

		static Held of(PendingMessage message) {
			return new Held(message.key(), (message.state() == PendingMessage.State.OFFLINE_BUFFERED) ? message : null);
		}

		PendingMessage.State state() {
			return this.key.state();
		}

		int packetId() {
			return this.key.packetId();
		}

	}

	/**
	 * A message Paho removed, and the buffered record of its packet id when it was let go
	 * with it.
	 *
	 * @param removed the message removed
	 * @param bufferedKey the key of the buffered record of its packet id
	 * @param buffered that record, when it was let go too
	 */
	record Removal(Held removed, PendingMessage.Key bufferedKey, @Nullable Held buffered) {
	}

}
