package io.github.mqttsession.store.memory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;

/**
 * A {@link SessionStore} in the heap of this process, the default when no database is
 * configured. Sessions survive a reconnect but not a restart of the process. Thread-safe:
 * every operation is atomic per client id, and adding or removing one message costs the
 * same whatever the session's size. It has every optional feature (listing, idle
 * deletion, leases), leases measured on its clock.
 */
public class InMemorySessionStore implements SessionStore, SessionListing, IdleSessionCleanup, SessionLeasing {

	private final Map<String, SessionState> sessions = new ConcurrentHashMap<>();

	private final Clock clock;

	/** Creates an empty store on the system clock. */
	public InMemorySessionStore() {
		this(Clock.systemUTC());
	}

	/**
	 * Creates an empty store.
	 * @param clock the clock that stamps each change and measures leases, read by
	 * {@link #deleteSessionsIdleSince(Instant)}
	 */
	public InMemorySessionStore(Clock clock) {
		this.clock = clock;
	}

	@Override
	public Optional<MqttSession> load(String clientId) {
		MqttNames.requireValidClientId(clientId);
		AtomicReference<MqttSession> snapshot = new AtomicReference<>();
		this.sessions.computeIfPresent(clientId, (id, state) -> {
			synchronized (state) {
				snapshot.set(state.snapshot());
			}
			return state;
		});
		return Optional.ofNullable(snapshot.get());
	}

	@Override
	public void save(String clientId, MqttSession session) {
		MqttNames.requireValidClientId(clientId);
		SessionState state = new SessionState(session, this.clock.millis());
		this.sessions.merge(clientId, state, (previous, replacement) -> {
			synchronized (previous) {
				previous.live = false;
				replacement.owner = previous.owner;
				replacement.leaseExpiresAt = previous.leaseExpiresAt;
			}
			return replacement;
		});
	}

	@Override
	public void delete(String clientId) {
		MqttNames.requireValidClientId(clientId);
		this.sessions.computeIfPresent(clientId, (id, state) -> {
			synchronized (state) {
				state.live = false;
			}
			return null;
		});
	}

	@Override
	public void addSubscription(String clientId, Subscription subscription) {
		update(clientId, (state) -> state.subscriptions.put(subscription.topicFilter(), subscription));
	}

	@Override
	public void removeSubscription(String clientId, String topicFilter) {
		updateIfPresent(clientId, (state) -> state.subscriptions.remove(topicFilter));
	}

	@Override
	public void addPendingMessage(String clientId, PendingMessage message) {
		update(clientId, (session) -> session.add(message));
	}

	@Override
	public void removePendingMessage(String clientId, PendingMessage.State state, int packetId) {
		updateIfPresent(clientId, (session) -> session.remove(state, packetId));
	}

	@Override
	public void replacePendingMessage(String clientId, PendingMessage.State state, int packetId,
			PendingMessage replacement) {
		update(clientId, (session) -> {
			session.remove(state, packetId);
			session.add(replacement);
		});
	}

	/**
	 * Applies the changes in one step of the client id's lock; only an addition creates a
	 * missing session.
	 */
	@Override
	public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		Change apply = (session) -> {
			for (PendingMessageChange change : changes) {
				if (change instanceof PendingMessageChange.Added added) {
					session.add(added.message());
				}
				else if (change instanceof PendingMessageChange.Removed removed) {
					session.remove(removed.state(), removed.packetId());
				}
			}
		};
		if (PendingMessageChange.addsAny(changes)) {
			update(clientId, apply);
		}
		else if (!changes.isEmpty()) {
			updateIfPresent(clientId, apply);
		}
	}

	/**
	 * Writes cost a map update here: nothing to gain by gathering them.
	 * @return {@code false}
	 */
	@Override
	public boolean gathersWrites() {
		return false;
	}

	@Override
	public void setPacketId(String clientId, int packetId) {
		MqttNames.requireValidSessionPacketId(packetId);
		update(clientId, (state) -> state.packetId = packetId);
	}

	@Override
	public List<SessionSummary> listSessions() {
		List<SessionSummary> summaries = new ArrayList<>();
		this.sessions.forEach((clientId, ignored) -> this.sessions.computeIfPresent(clientId, (id, state) -> {
			synchronized (state) {
				summaries.add(new SessionSummary(id, state.subscriptions.size(), state.pendingMessages.size(),
						state.packetId, Instant.ofEpochMilli(state.lastUpdated), state.owner, state.leaseExpiresAt));
			}
			return state;
		}));
		return summaries;
	}

	/** The time on this store's clock, on which it measures leases. */
	@Override
	public Instant currentTime() {
		return this.clock.instant();
	}

	@Override
	public Optional<String> acquireLease(String clientId, String owner, Duration duration) {
		MqttNames.requireValidClientId(clientId);
		SessionLeasing.requireValidOwner(owner);
		SessionLeasing.requireValidDuration(duration);
		Instant now = this.clock.instant();
		Instant until = now.plus(duration);
		AtomicReference<String> other = new AtomicReference<>();
		this.sessions.compute(clientId, (id, state) -> {
			SessionState target = (state != null) ? state : new SessionState(MqttSession.EMPTY, now.toEpochMilli());
			synchronized (target) {
				if (target.owner == null || target.owner.equals(owner) || target.leaseExpiresAt == null
						|| target.leaseExpiresAt.isBefore(now)) {
					target.owner = owner;
					target.leaseExpiresAt = until;
				}
				else {
					other.set(target.owner);
				}
			}
			return target;
		});
		return Optional.ofNullable(other.get());
	}

	@Override
	public void releaseLease(String clientId, String owner) {
		MqttNames.requireValidClientId(clientId);
		this.sessions.computeIfPresent(clientId, (id, state) -> {
			synchronized (state) {
				if (owner.equals(state.owner)) {
					state.owner = null;
					state.leaseExpiresAt = null;
				}
			}
			return state;
		});
	}

	@Override
	public int deleteSessionsIdleSince(Instant cutoff) {
		int[] deleted = { 0 };
		Instant now = this.clock.instant();
		for (String clientId : this.sessions.keySet()) {
			this.sessions.computeIfPresent(clientId, (id, state) -> {
				synchronized (state) {
					boolean leased = state.leaseExpiresAt != null && !state.leaseExpiresAt.isBefore(now);
					if (Instant.ofEpochMilli(state.lastUpdated).isBefore(cutoff) && !leased) {
						state.live = false;
						deleted[0]++;
						return null;
					}
				}
				return state;
			});
		}
		return deleted[0];
	}

	private void update(String clientId, Change change) {
		long now = this.clock.millis();
		if (!applyToHeldSession(clientId, change, now)) {
			MqttNames.requireValidClientId(clientId);
			this.sessions.compute(clientId, (id, state) -> {
				SessionState target = (state != null) ? state : new SessionState(MqttSession.EMPTY, now);
				target.applyIfLive(change, now);
				return target;
			});
		}
	}

	private void updateIfPresent(String clientId, Change change) {
		long now = this.clock.millis();
		if (!applyToHeldSession(clientId, change, now)) {
			MqttNames.requireValidClientId(clientId);
			this.sessions.computeIfPresent(clientId, (id, state) -> {
				state.applyIfLive(change, now);
				return state;
			});
		}
	}

	/**
	 * Applies a change to the session held for the client id under the session's own
	 * lock, without the map's: the common case of a change to a session that exists. A
	 * client id the map holds was checked when its session was created.
	 * @return {@code false} when no session is held, or it was just deleted or replaced:
	 * the caller then checks the client id and goes through the map's per-key lock
	 */
	private boolean applyToHeldSession(String clientId, Change change, long now) {
		SessionState state = (clientId != null) ? this.sessions.get(clientId) : null;
		return state != null && state.applyIfLive(change, now);
	}

	/** One change to a session's state, run while the store holds the session's lock. */
	@FunctionalInterface
	private interface Change {

		void apply(SessionState state);

	}

	/**
	 * The mutable state of one session, only touched under its own lock. It is live while
	 * the map holds it; whoever removes or replaces it in the map marks it dead under
	 * that lock, so that a change never lands on a state the map no longer holds. Linked
	 * maps keep insertion order, and replacing an entry keeps its position.
	 */
	private static final class SessionState {

		final LinkedHashMap<String, Subscription> subscriptions = new LinkedHashMap<>();

		final LinkedHashMap<PendingMessage.Key, PendingMessage> pendingMessages = new LinkedHashMap<>();

		int packetId;

		boolean live = true;

		/**
		 * Milliseconds since the epoch: reading the clock so costs no allocation on every
		 * change.
		 */
		long lastUpdated;

		String owner;

		Instant leaseExpiresAt;

		SessionState(MqttSession session, long now) {
			session.subscriptions()
				.forEach((subscription) -> this.subscriptions.put(subscription.topicFilter(), subscription));
			session.pendingMessages().forEach(this::add);
			this.packetId = session.packetId();
			this.lastUpdated = now;
		}

		synchronized boolean applyIfLive(Change change, long now) {
			if (!this.live) {
				return false;
			}
			change.apply(this);
			this.lastUpdated = now;
			return true;
		}

		void add(PendingMessage message) {
			this.pendingMessages.put(message.key(), message);
		}

		void remove(PendingMessage.State state, int packetId) {
			this.pendingMessages.remove(new PendingMessage.Key(state, packetId));
		}

		MqttSession snapshot() {
			return new MqttSession(new ArrayList<>(this.subscriptions.values()),
					new ArrayList<>(this.pendingMessages.values()), this.packetId);
		}

	}

}
