package io.github.mqttsession.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.SessionStoreFeature;
import io.github.mqttsession.store.Subscription;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A {@link SessionStore} that times every operation of the store it wraps in the timer
 * {@value #METER_NAME}, tagged with the {@code operation}, its {@code outcome}
 * ({@code success} or {@code error}) and the simple name of the {@code exception} class
 * ({@code none} on success).
 * <p>
 * Every operation goes to the wrapped store, so a store that overrides a default
 * operation keeps its own implementation. The timed store has exactly the optional
 * {@linkplain SessionStoreFeature features} of the store it wraps, through
 * {@link #feature(Class)}, and times their operations too.
 */
public final class TimedSessionStore implements SessionStore {

	/** The name of the timer. */
	public static final String METER_NAME = "mqtt.session.store.operations";

	private final SessionStore delegate;

	private final MeterRegistry registry;

	private final Map<String, Timer> successTimers = new ConcurrentHashMap<>();

	/**
	 * Wraps a store.
	 * @param delegate the store to time
	 * @param registry where the timer is registered
	 */
	public TimedSessionStore(SessionStore delegate, MeterRegistry registry) {
		this.delegate = delegate;
		this.registry = registry;
	}

	@Override
	public Optional<MqttSession> load(String clientId) {
		return timed("load", () -> this.delegate.load(clientId));
	}

	@Override
	public void save(String clientId, MqttSession session) {
		timed("save", () -> this.delegate.save(clientId, session));
	}

	@Override
	public void delete(String clientId) {
		timed("delete", () -> this.delegate.delete(clientId));
	}

	@Override
	public void addSubscription(String clientId, Subscription subscription) {
		timed("addSubscription", () -> this.delegate.addSubscription(clientId, subscription));
	}

	@Override
	public void removeSubscription(String clientId, String topicFilter) {
		timed("removeSubscription", () -> this.delegate.removeSubscription(clientId, topicFilter));
	}

	@Override
	public void addPendingMessage(String clientId, PendingMessage message) {
		timed("addPendingMessage", () -> this.delegate.addPendingMessage(clientId, message));
	}

	@Override
	public void removePendingMessage(String clientId, PendingMessage.State state, int packetId) {
		timed("removePendingMessage", () -> this.delegate.removePendingMessage(clientId, state, packetId));
	}

	@Override
	public void replacePendingMessage(String clientId, PendingMessage.State state, int packetId,
			PendingMessage replacement) {
		timed("replacePendingMessage",
				() -> this.delegate.replacePendingMessage(clientId, state, packetId, replacement));
	}

	@Override
	public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		timed("applyPendingMessageChanges", () -> this.delegate.applyPendingMessageChanges(clientId, changes));
	}

	@Override
	public boolean gathersWrites() {
		return this.delegate.gathersWrites();
	}

	@Override
	public void setPacketId(String clientId, int packetId) {
		timed("setPacketId", () -> this.delegate.setPacketId(clientId, packetId));
	}

	/**
	 * The wrapped store's feature, its operations timed as the store's are; a feature
	 * this class does not know is passed on untimed.
	 */
	@Override
	public <F extends SessionStoreFeature> Optional<F> feature(Class<F> type) {
		return this.delegate.feature(type).map((feature) -> type.cast(timedFeature(type, feature)));
	}

	/**
	 * Two timed views of one store are the same store: the Paho persistence claims a
	 * client id per store, and each MQTT client wraps the store anew.
	 */
	@Override
	public boolean equals(Object obj) {
		return (obj instanceof TimedSessionStore other) && this.delegate.equals(other.delegate);
	}

	@Override
	public int hashCode() {
		return this.delegate.hashCode();
	}

	@Override
	public String toString() {
		return "TimedSessionStore[" + this.delegate + "]";
	}

	private Object timedFeature(Class<?> type, Object feature) {
		if (type == SessionListing.class) {
			SessionListing listing = (SessionListing) feature;
			return new SessionListing() {

				@Override
				public List<SessionSummary> listSessions() {
					return timed("listSessions", listing::listSessions);
				}

				@Override
				public Instant currentTime() {
					return listing.currentTime();
				}

			};
		}
		if (type == IdleSessionCleanup.class) {
			IdleSessionCleanup cleanup = (IdleSessionCleanup) feature;
			return (IdleSessionCleanup) (cutoff) -> timed("deleteSessionsIdleSince",
					() -> cleanup.deleteSessionsIdleSince(cutoff));
		}
		if (type == SessionLeasing.class) {
			return new TimedLeasing((SessionLeasing) feature);
		}
		return feature;
	}

	private void timed(String operation, Runnable call) {
		timed(operation, () -> {
			call.run();
			return null;
		});
	}

	private <T> T timed(String operation, Supplier<T> call) {
		long start = this.registry.config().clock().monotonicTime();
		try {
			T result = call.get();
			this.successTimers.computeIfAbsent(operation, (name) -> timer(name, "success", "none"))
				.record(elapsedSince(start), TimeUnit.NANOSECONDS);
			return result;
		}
		catch (RuntimeException | Error ex) {
			timer(operation, "error", ex.getClass().getSimpleName()).record(elapsedSince(start), TimeUnit.NANOSECONDS);
			throw ex;
		}
	}

	private long elapsedSince(long start) {
		return this.registry.config().clock().monotonicTime() - start;
	}

	private Timer timer(String operation, String outcome, String exception) {
		return Timer.builder(METER_NAME)
			.description("Operations of the MQTT session store")
			.tag("operation", operation)
			.tag("outcome", outcome)
			.tag("exception", exception)
			.register(this.registry);
	}

	/** The leases of the wrapped store, timed. */
	private final class TimedLeasing implements SessionLeasing {

		private final SessionLeasing leasing;

		TimedLeasing(SessionLeasing leasing) {
			this.leasing = leasing;
		}

		@Override
		public Optional<String> acquireLease(String clientId, String owner, Duration duration) {
			return timed("acquireLease", () -> this.leasing.acquireLease(clientId, owner, duration));
		}

		@Override
		public void renewLease(String clientId, String owner, Duration duration) {
			timed("renewLease", () -> this.leasing.renewLease(clientId, owner, duration));
		}

		@Override
		public void releaseLease(String clientId, String owner) {
			timed("releaseLease", () -> this.leasing.releaseLease(clientId, owner));
		}

	}

}
