package io.github.mqttsession.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Takes messages whose expiry passed out of Paho's in-memory offline buffer before a
 * connect sends them, and deletes their stored records.
 * <p>
 * Paho keeps what was published while the broker was unreachable in a list and, right
 * after a connect, a thread of its own takes the first entry, sends it and deletes the
 * first entry, until the list is empty. Deleting an entry while that thread is between
 * taking and deleting would make it delete the next message unsent, so entries are
 * deleted only where no drain can run: Paho opens the persistence at the start of every
 * connect attempt, before it connects, and only a completed connect starts a drain. While
 * the broker stays away, automatic reconnect makes that an attempt at least every
 * {@code max-reconnect-delay}; the first connect after the outage is always one. The
 * sweep also stands aside when the client is connected, when a drain of an earlier
 * connection is midway through a message (its publish is stored beside its buffered
 * record), and when Paho opens the persistence only to retry storing a buffered message.
 * Deleting an entry from Paho's buffer leaves its stored record, which the sweep deletes
 * itself, after the entry, so that a failed write leaves a record that the next start
 * drops.
 * <p>
 * The buffer's entries are matched to stored keys by the object Paho stores each message
 * with: Paho's public API gives no packet id for a buffered message.
 */
public final class OfflineBufferSweep {

	private static final Log logger = LogFactory.getLog(OfflineBufferSweep.class);

	/**
	 * Stands for the key of an object stored under two keys, which cannot tell its
	 * entries apart.
	 */
	private static final PendingMessage.Key AMBIGUOUS = new PendingMessage.Key(PendingMessage.State.OFFLINE_BUFFERED,
			0);

	private final SessionStorePersistence persistence;

	/** The object each buffered message was stored with, by its key. */
	private final Map<PendingMessage.Key, Object> identities = new ConcurrentHashMap<>();

	/**
	 * Set on a thread whose buffered put failed: Paho opens the persistence again to
	 * retry, not to connect.
	 */
	private final ThreadLocal<Boolean> retryingPut = new ThreadLocal<>();

	private volatile @Nullable OfflineBuffer buffer;

	/**
	 * Creates the sweep of one session's offline buffer.
	 * @param persistence the session's persistence
	 */
	public OfflineBufferSweep(SessionStorePersistence persistence) {
		this.persistence = persistence;
	}

	/**
	 * Sets the buffer to sweep, once the client exists.
	 * @param buffer the client's offline buffer
	 */
	public void attach(OfflineBuffer buffer) {
		this.buffer = buffer;
	}

	/**
	 * Lets go of the buffer of a client that is closed: the next client on this session
	 * opens the persistence before it is attached, and a closed client's buffer cannot be
	 * read.
	 */
	public void detach() {
		this.buffer = null;
	}

	/**
	 * Hears that Paho stored, or failed to store, a buffered message.
	 * @param key the message's key
	 * @param identity the object the message is known by in the buffer; absent when
	 * storing it failed
	 */
	public void buffered(PendingMessage.Key key, @Nullable Object identity) {
		if (identity == null) {
			this.retryingPut.set(Boolean.TRUE);
			return;
		}
		this.retryingPut.remove();
		this.identities.put(key, identity);
	}

	/**
	 * Hears that Paho removed a buffered message.
	 * @param key the message's key
	 */
	public void removed(PendingMessage.Key key) {
		this.identities.remove(key);
	}

	/** Hears that Paho cleared the persistence. */
	public void cleared() {
		this.identities.clear();
	}

	/**
	 * Sweeps, when the persistence is opened for a connect attempt; never fails the
	 * attempt.
	 */
	public synchronized void beforeConnect() {
		OfflineBuffer current = this.buffer;
		if (this.retryingPut.get() != null) {
			this.retryingPut.remove();
			return;
		}
		if (current == null || this.identities.isEmpty()) {
			return;
		}
		try {
			sweep(current);
		}
		catch (RuntimeException ex) {
			logger.warn("Client '" + this.persistence.clientId()
					+ "' could not take expired messages out of its offline buffer; the next connect attempt tries again",
					ex);
		}
	}

	private void sweep(OfflineBuffer buffer) {
		if (buffer.isConnected()) {
			return;
		}
		this.identities.keySet().removeIf((key) -> !this.persistence.containsKey(key));
		Map<Object, PendingMessage.Key> keys = new IdentityHashMap<>();
		for (Map.Entry<PendingMessage.Key, Object> entry : this.identities.entrySet()) {
			if (this.persistence.containsKey(entry.getKey().in(PendingMessage.State.OUTBOUND_PUBLISH))) {
				return;
			}
			// One object stored twice (a message published twice) cannot tell its entries
			// apart: leave both.
			keys.merge(entry.getValue(), entry.getKey(), (first, second) -> AMBIGUOUS);
		}
		Instant now = this.persistence.expiry().now();
		List<PendingMessage.Key> deleted = new ArrayList<>();
		boolean firstHeld = buffer.mayHoldFirst();
		for (int index = buffer.size() - 1; index >= 0; index--) {
			Object identity = buffer.identity(index);
			PendingMessage.Key key = keys.get(identity);
			PendingMessage message = (key != null && key != AMBIGUOUS) ? this.persistence.get(key) : null;
			if (message == null) {
				continue;
			}
			if (OfflineExpiry.isExpired(message, now)) {
				if (index > 0 || !firstHeld) {
					buffer.delete(index);
					deleted.add(key);
				}
			}
			else {
				long remaining = this.persistence.expiry().remainingInterval(message, now);
				if (remaining >= 0) {
					buffer.expiresIn(index, remaining);
				}
			}
		}
		if (!deleted.isEmpty()) {
			this.persistence.dropExpired(deleted);
			deleted.forEach(this.identities::remove);
		}
	}

}
