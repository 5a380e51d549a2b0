package io.github.mqttsession.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Loads a session when its persistence opens, less what must not come back, and hands
 * Paho the whole messages when it reads them back.
 */
final class SessionRestore {

	private static final Log logger = LogFactory.getLog(SessionRestore.class);

	private final SessionStore store;

	private final String clientId;

	private final OfflineExpiry expiry;

	/**
	 * The whole messages of the loaded session, by key, until Paho has read them back: it
	 * does so once, when it creates its client, and then holds its own copies. Dropped on
	 * the persistence's next close.
	 */
	private volatile @Nullable Map<PendingMessage.Key, PendingMessage> restoring;

	SessionRestore(SessionStore store, String clientId, OfflineExpiry expiry) {
		this.store = store;
		this.clientId = clientId;
		this.expiry = expiry;
	}

	/**
	 * Loads the session, deleting stale and expired buffered records from the store
	 * first.
	 * @return the messages to hold and the last packet id used
	 */
	Loaded load() {
		Optional<MqttSession> session = this.store.load(this.clientId);
		List<PendingMessage> stored = session.map((loaded) -> withoutStaleBufferedRecords(loaded.pendingMessages()))
			.orElse(List.of());
		// Messages written in the application's transactions are not Paho's: they are
		// handed to the client once it is created, in the order they were stored; nor
		// are the records of inbound messages handled in them
		List<PendingMessage> kept = new ArrayList<>(stored.size());
		List<PendingMessage> outbox = new ArrayList<>();
		List<PendingMessage> inboundMarks = new ArrayList<>();
		for (PendingMessage message : stored) {
			switch (message.state()) {
				case TRANSACTIONAL_OUTBOX -> outbox.add(message);
				case INBOUND_HANDLED, INBOUND_RELEASED -> inboundMarks.add(message);
				default -> kept.add(message);
			}
		}
		this.restoring = byKey(kept);
		return new Loaded(kept, outbox, inboundMarks, session.map(MqttSession::packetId).orElse(0));
	}

	/**
	 * The whole message stored under a key, as Paho reads it back.
	 * @param key the message's key
	 * @return the message; absent when none is stored under the key
	 */
	@Nullable PendingMessage whole(PendingMessage.Key key) {
		Map<PendingMessage.Key, PendingMessage> whole = this.restoring;
		if (whole == null || !whole.containsKey(key)) {
			// Paho reads messages back only when it creates a client; a second client on
			// this persistence without a release in between reads what was stored since:
			// load the session once more.
			whole = byKey(this.store.load(this.clientId).map(MqttSession::pendingMessages).orElse(List.of()));
			this.restoring = whole;
		}
		return whole.get(key);
	}

	/** Lets go of the whole messages: Paho has read them back. */
	void done() {
		this.restoring = null;
	}

	private static Map<PendingMessage.Key, PendingMessage> byKey(List<PendingMessage> messages) {
		Map<PendingMessage.Key, PendingMessage> byKey = new HashMap<>();
		for (PendingMessage message : messages) {
			byKey.put(message.key(), message);
		}
		return byKey;
	}

	/**
	 * The stored messages less buffered records whose send had begun: a crash can stop
	 * Paho between storing the publish of a buffered message and removing its buffered
	 * record. Restored too, the buffered record would take the place of the publish or
	 * its release in Paho's tables and the message would be published again; it is
	 * deleted instead. Buffered messages whose expiry passed while the client was away
	 * are deleted with them.
	 */
	private List<PendingMessage> withoutStaleBufferedRecords(List<PendingMessage> stored) {
		Set<Integer> sending = new HashSet<>();
		for (PendingMessage message : stored) {
			if (message.state() == PendingMessage.State.OUTBOUND_PUBLISH
					|| message.state() == PendingMessage.State.OUTBOUND_PUBREL) {
				sending.add(message.packetId());
			}
		}
		List<PendingMessage> kept = new ArrayList<>(stored.size());
		List<PendingMessageChange> stale = new ArrayList<>();
		Instant now = this.expiry.now();
		List<PendingMessage> expired = new ArrayList<>();
		for (PendingMessage message : stored) {
			if (message.state() == PendingMessage.State.OFFLINE_BUFFERED && sending.contains(message.packetId())) {
				stale.add(new PendingMessageChange.Removed(message.state(), message.packetId()));
			}
			else if (OfflineExpiry.isExpired(message, now)) {
				stale.add(new PendingMessageChange.Removed(message.state(), message.packetId()));
				expired.add(message);
			}
			else {
				kept.add(message);
			}
		}
		if (!stale.isEmpty()) {
			this.store.applyPendingMessageChanges(this.clientId, stale);
			if (stale.size() > expired.size()) {
				logger.info("Client '" + this.clientId + "': deleted " + (stale.size() - expired.size())
						+ " buffered record(s) whose publish had already been stored when the client stopped");
			}
			this.expiry.dropped(expired, now);
		}
		return kept;
	}

	/**
	 * A loaded session.
	 *
	 * @param pendingMessages the messages to hold
	 * @param outbox the messages written in the application's transactions and not yet
	 * handed to the client, in the order they were stored
	 * @param inboundMarks the records of inbound messages handled, or released before
	 * they were, in the application's transactions
	 * @param packetId the last packet id the session used, 0 when none
	 */
	record Loaded(List<PendingMessage> pendingMessages, List<PendingMessage> outbox, List<PendingMessage> inboundMarks,
			int packetId) {
	}

}
