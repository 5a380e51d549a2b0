package io.github.mqttsession.actuate;

import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.integration.TopicPlan;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.context.Lifecycle;

/**
 * The {@code mqttsessions} actuator endpoint: lists the sessions in the
 * {@link SessionStore}, shows one with its subscriptions and pending messages, and
 * deletes one that is not live.
 * <p>
 * A session is live while an MQTT client of this application with its client id is
 * running (connected, or reconnecting), or while an instance holds an unexpired lease on
 * it in the store: deleting it then would pull the session out from under a client that
 * goes on writing to it, so the deletion is refused.
 * <p>
 * Listing needs a store with {@link SessionListing}; on another store the listing answers
 * why it is missing, and one session is still shown and deleted by its client id.
 */
@Endpoint(id = "mqttsessions")
public class MqttSessionsEndpoint {

	private final SessionStore store;

	private final Supplier<Stream<SessionClientManager>> clients;

	private final Clock clock;

	/**
	 * Creates the endpoint.
	 * @param store the store whose sessions it shows
	 * @param clients the MQTT clients of this application, asked for on every operation
	 * @param clock the clock leases are judged by when the store does not say its own
	 * time ({@link SessionListing#currentTime()})
	 */
	public MqttSessionsEndpoint(SessionStore store, Supplier<Stream<SessionClientManager>> clients, Clock clock) {
		this.store = store;
		this.clients = clients;
		this.clock = clock;
	}

	/**
	 * Lists the stored sessions, or says that the store cannot list them.
	 * @return the sessions
	 */
	@ReadOperation
	public SessionsDescriptor sessions() {
		Optional<SessionListing> listing = this.store.feature(SessionListing.class);
		if (listing.isEmpty()) {
			return new SessionsDescriptor(null, "The session store " + this.store.getClass().getName()
					+ " cannot list sessions (it does not implement SessionListing); show one session by its client id"
					+ " instead");
		}
		List<SessionSummary> summaries = listing.get().listSessions();
		Instant now = now();
		return new SessionsDescriptor(summaries.stream()
			.map((summary) -> new SessionDescriptor(summary.clientId(), isLive(summary.clientId(), summary, now),
					summary.subscriptionCount(), summary.pendingMessageCount(), summary.packetId(),
					summary.lastUpdated(), summary.owner(), summary.leaseExpiresAt()))
			.toList(), null);
	}

	/**
	 * Shows one session with its subscriptions and pending messages.
	 * @param clientId the session's client id
	 * @param payloads whether to include each message's payload, base64-encoded;
	 * {@code false} when absent
	 * @return the session; absent when none is stored for the client id
	 */
	@ReadOperation
	public @Nullable SessionDetailsDescriptor session(@Selector String clientId, @Nullable Boolean payloads) {
		Optional<MqttSession> stored = load(clientId);
		if (stored.isEmpty()) {
			return null;
		}
		MqttSession session = stored.get();
		SessionSummary summary = summary(clientId);
		boolean withPayloads = Boolean.TRUE.equals(payloads);
		return new SessionDetailsDescriptor(clientId, isLive(clientId, summary, now()), session.packetId(),
				(summary != null) ? summary.lastUpdated() : null, (summary != null) ? summary.owner() : null,
				(summary != null) ? summary.leaseExpiresAt() : null, session.subscriptions(),
				session.pendingMessages().stream().map((message) -> describe(message, withPayloads)).toList());
	}

	/**
	 * Deletes a session with its subscriptions and pending messages, unless it is live.
	 * @param clientId the session's client id
	 * @return what happened: deleted, refused because the session is live, or not found
	 */
	@DeleteOperation
	public SessionDeletion deleteSession(@Selector String clientId) {
		if (load(clientId).isEmpty()) {
			return new SessionDeletion(clientId, SessionDeletion.Outcome.NOT_FOUND,
					"No session is stored for client id '" + clientId + "'");
		}
		String inUse = inUse(clientId, summary(clientId), now());
		if (inUse != null) {
			return new SessionDeletion(clientId, SessionDeletion.Outcome.REFUSED_LIVE,
					"The session of client id '" + clientId + "' is live: " + inUse
							+ ". Deleting it would lose what that client goes on storing;"
							+ " stop the client first (or let its lease run out), then delete the session");
		}
		this.store.delete(clientId);
		return new SessionDeletion(clientId, SessionDeletion.Outcome.DELETED,
				"Deleted the session of client id '" + clientId + "' with its subscriptions and pending messages");
	}

	private Optional<MqttSession> load(String clientId) {
		try {
			return this.store.load(clientId);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEndpointRequestException(ex.getMessage(), "Invalid client id", ex);
		}
	}

	private @Nullable SessionSummary summary(String clientId) {
		// A store that cannot list shows no leases either
		return this.store.feature(SessionListing.class)
			.flatMap((listing) -> listing.listSessions()
				.stream()
				.filter((summary) -> summary.clientId().equals(clientId))
				.findFirst())
			.orElse(null);
	}

	/**
	 * The time leases are judged at: the store's, when it lists sessions, since it may
	 * reckon leases on a clock of its own (the JPA store, on the database's).
	 */
	private Instant now() {
		return this.store.feature(SessionListing.class).map(SessionListing::currentTime).orElseGet(this.clock::instant);
	}

	private boolean isLive(String clientId, @Nullable SessionSummary summary, Instant now) {
		return inUse(clientId, summary, now) != null;
	}

	/** Why the session is live; absent when it is not. */
	private @Nullable String inUse(String clientId, @Nullable SessionSummary summary, Instant now) {
		boolean runningHere = this.clients.get()
			.anyMatch((client) -> clientId.equals(client.getClientId())
					&& (client.isConnected() || (client instanceof Lifecycle lifecycle && lifecycle.isRunning())));
		if (runningHere) {
			return "an MQTT client of this application with that client id is running";
		}
		if (summary != null && summary.isLeased(now)) {
			return "instance '" + summary.owner() + "' holds its lease until " + summary.leaseExpiresAt();
		}
		return null;
	}

	private static PendingMessageDescriptor describe(PendingMessage message, boolean withPayload) {
		return new PendingMessageDescriptor(message.state(), message.packetId(), message.topic(), message.qos(),
				message.retained(), message.duplicate(), message.payloadLength(),
				withPayload ? Base64.getEncoder().encodeToString(message.payload()) : null);
	}

	/**
	 * The stored sessions, or why they cannot be listed.
	 *
	 * @param sessions the sessions; absent when the store cannot list them
	 * @param message why the store cannot list them; absent when it can
	 */
	public record SessionsDescriptor(@Nullable List<SessionDescriptor> sessions, @Nullable String message) {

		/**
		 * Whether the store could list its sessions.
		 * @return {@code true} when {@link #sessions()} holds them
		 */
		public boolean listed() {
			return this.sessions != null;
		}

	}

	/**
	 * One stored session, without its messages.
	 *
	 * @param clientId the client id
	 * @param live whether a running client uses it, here or on the instance holding its
	 * lease
	 * @param subscriptionCount how many subscriptions it holds
	 * @param pendingMessageCount how many pending messages it holds
	 * @param packetId the last packet id used
	 * @param lastUpdated when it last changed
	 * @param owner the instance holding its lease, if any
	 * @param leaseExpiresAt when that lease runs out unless renewed, if there is one
	 */
	public record SessionDescriptor(String clientId, boolean live, int subscriptionCount, int pendingMessageCount,
			int packetId, Instant lastUpdated, @Nullable String owner, @Nullable Instant leaseExpiresAt) {
	}

	/**
	 * One stored session with its subscriptions and pending messages.
	 *
	 * @param clientId the client id
	 * @param live whether a running client uses it, here or on the instance holding its
	 * lease
	 * @param packetId the last packet id used
	 * @param lastUpdated when it last changed, when the store can list sessions
	 * @param owner the instance holding its lease, if any
	 * @param leaseExpiresAt when that lease runs out unless renewed, if there is one
	 * @param subscriptions its subscriptions
	 * @param pendingMessages its pending messages, oldest first
	 */
	public record SessionDetailsDescriptor(String clientId, boolean live, int packetId, @Nullable Instant lastUpdated,
			@Nullable String owner, @Nullable Instant leaseExpiresAt, List<Subscription> subscriptions,
			List<PendingMessageDescriptor> pendingMessages) {
	}

	/**
	 * One pending message of a session.
	 *
	 * @param state its protocol state
	 * @param packetId its packet id
	 * @param topic its topic, absent for a QoS 2 release
	 * @param qos its QoS
	 * @param retained its retain flag
	 * @param duplicate its dup flag
	 * @param payloadSize the size of its payload in bytes
	 * @param payload its payload, base64-encoded, only when asked for
	 */
	public record PendingMessageDescriptor(PendingMessage.State state, int packetId, @Nullable String topic, int qos,
			boolean retained, boolean duplicate, int payloadSize, @Nullable String payload) {
	}

	/**
	 * What a request to delete a session did.
	 *
	 * @param clientId the client id
	 * @param outcome whether the session was deleted, and if not, why
	 * @param message a sentence saying so
	 */
	public record SessionDeletion(String clientId, Outcome outcome, String message) {

		/** Whether the session was deleted, and if not, why. */
		public enum Outcome {

			/** The session was deleted. */
			DELETED,

			/** No session is stored for the client id. */
			NOT_FOUND,

			/** The session is live, and was left alone. */
			REFUSED_LIVE

		}

	}

}
