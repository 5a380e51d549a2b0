package io.github.mqttsession.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.PendingMessage.State;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every {@link SessionStore} must have, and that of each optional
 * {@link SessionStoreFeature} the store has (tests of a feature it lacks are skipped).
 * Extend it and implement {@link #createStore()} to run it on a store of your own; see
 * the README's "Writing a custom store".
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SessionStoreContractTests {

	private SessionStore store;

	/**
	 * Creates the store under test, once per test class. Tests use client ids of their
	 * own, so the store may hold other sessions.
	 * @return the store
	 * @throws Exception when the store cannot be created
	 */
	protected abstract SessionStore createStore() throws Exception;

	/**
	 * Whether the store takes fine-grained operations from many threads at once on one
	 * client id. A store that implements only {@code load}, {@code save} and
	 * {@code delete} is single-writer per client id by nature.
	 * @return {@code true} to run the concurrency tests
	 */
	protected boolean supportsConcurrentWriters() {
		return true;
	}

	@BeforeAll
	void createStoreUnderTest() throws Exception {
		this.store = createStore();
	}

	@AfterAll
	void closeStoreUnderTest() throws Exception {
		if (this.store instanceof AutoCloseable closeable) {
			closeable.close();
		}
	}

	/**
	 * The store under test.
	 * @return the store
	 */
	protected SessionStore store() {
		return this.store;
	}

	@Test
	void savedSessionLoadsEqual() {
		String clientId = newClientId();
		MqttSession session = fullSession();
		this.store.save(clientId, session);
		assertThat(this.store.load(clientId)).contains(session);
	}

	@Test
	void unknownClientHasNoSession() {
		assertThat(this.store.load(newClientId())).isEmpty();
	}

	@Test
	void saveOverwritesTheStoredSession() {
		String clientId = newClientId();
		this.store.save(clientId, fullSession());
		MqttSession replacement = new MqttSession(List.of(new Subscription("other/+", 0)),
				List.of(publish(State.OUTBOUND_PUBLISH, 7, "other/a", "x")), 7);
		this.store.save(clientId, replacement);
		assertThat(this.store.load(clientId)).contains(replacement);
	}

	@Test
	void deleteRemovesTheSessionAndDeletingAMissingOneIsFine() {
		String clientId = newClientId();
		this.store.save(clientId, fullSession());
		this.store.delete(clientId);
		assertThat(this.store.load(clientId)).isEmpty();
		this.store.delete(clientId);
		this.store.delete(newClientId());
		assertThat(this.store.load(clientId)).isEmpty();
	}

	@Test
	void clientsAreIndependent() {
		String first = newClientId();
		String second = newClientId();
		this.store.save(first, fullSession());
		this.store.addPendingMessage(second, publish(State.OFFLINE_BUFFERED, 1, "b/1", "b"));
		this.store.addSubscription(second, new Subscription("b/#", 1));
		this.store.delete(first);
		assertThat(this.store.load(first)).isEmpty();
		MqttSession secondSession = this.store.load(second).orElseThrow();
		assertThat(secondSession.pendingMessages()).containsExactly(publish(State.OFFLINE_BUFFERED, 1, "b/1", "b"));
		assertThat(secondSession.subscriptions()).containsExactly(new Subscription("b/#", 1));
	}

	@Test
	void sessionWithEveryStateAndPacketId100SurvivesIntact() {
		String clientId = newClientId();
		MqttSession session = fullSession();
		this.store.save(clientId, session);
		MqttSession loaded = this.store.load(clientId).orElseThrow();
		assertThat(loaded.packetId()).isEqualTo(100);
		assertThat(loaded.subscriptions()).containsExactlyElementsOf(session.subscriptions());
		assertThat(loaded.pendingMessages()).containsExactlyElementsOf(session.pendingMessages());
		assertThat(loaded.pendingMessages()).extracting(PendingMessage::state)
			.contains(State.OUTBOUND_PUBLISH, State.OUTBOUND_PUBREL, State.INBOUND_PUBLISH, State.OFFLINE_BUFFERED);
		PendingMessage withProperties = loaded.pendingMessages().get(4);
		assertThat(withProperties.duplicate()).isTrue();
		assertThat(withProperties.retained()).isTrue();
		assertThat(withProperties.properties()).containsExactly(0x01, 0x01, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v');
	}

	@Test
	void emptyAndOneMebibytePayloadsComeBackByteForByte() {
		String clientId = newClientId();
		byte[] large = new byte[1024 * 1024 + 17];
		new java.util.Random(42).nextBytes(large);
		PendingMessage empty = new PendingMessage(State.OUTBOUND_PUBLISH, 1, "big/empty", new byte[0], 1, false);
		PendingMessage big = new PendingMessage(State.OUTBOUND_PUBLISH, 2, "big/large", large, 2, false);
		this.store.addPendingMessage(clientId, empty);
		this.store.save(newClientId(), new MqttSession(List.of(), List.of(big), 2));
		this.store.addPendingMessage(clientId, big);
		List<PendingMessage> loaded = this.store.load(clientId).orElseThrow().pendingMessages();
		assertThat(loaded.get(0).payload()).isEmpty();
		assertThat(loaded.get(1).payload()).isEqualTo(large);
	}

	@Test
	void nonAsciiTopicsAndClientIdsComeBackIntact() {
		String clientId = newClientId() + "-Grüße-温度-🌡";
		Subscription subscription = new Subscription("häuser/+/温度/#", 2);
		PendingMessage message = publish(State.OUTBOUND_PUBLISH, 3, "häuser/küche/温度/🌡", "21,5 °C");
		this.store.addSubscription(clientId, subscription);
		this.store.addPendingMessage(clientId, message);
		MqttSession loaded = this.store.load(clientId).orElseThrow();
		assertThat(loaded.subscriptions()).containsExactly(subscription);
		assertThat(loaded.pendingMessages()).containsExactly(message);
		assertThat(new String(loaded.pendingMessages().get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("21,5 °C");
	}

	@Test
	void theExpiryOfABufferedMessageComesBackAndChangesWithAReplacement() {
		String clientId = newClientId();
		Instant expiresAt = Instant.parse("2031-05-04T10:15:30.123456Z");
		PendingMessage expiring = publish(State.OFFLINE_BUFFERED, 7, "expiry/a", "a").withExpiresAt(expiresAt);
		PendingMessage kept = publish(State.OFFLINE_BUFFERED, 8, "expiry/b", "b");
		this.store.addPendingMessage(clientId, expiring);
		this.store.addPendingMessage(clientId, kept);
		List<PendingMessage> loaded = this.store.load(clientId).orElseThrow().pendingMessages();
		assertThat(loaded).containsExactly(expiring, kept);
		assertThat(loaded).extracting(PendingMessage::expiresAt).containsExactly(expiresAt, null);
		PendingMessage later = expiring.withExpiresAt(expiresAt.plusSeconds(60));
		this.store.applyPendingMessageChanges(clientId, List.of(new PendingMessageChange.Added(later)));
		assertThat(this.store.load(clientId).orElseThrow().pendingMessages()).containsExactly(later, kept);
		String saved = newClientId();
		this.store.save(saved, new MqttSession(List.of(), List.of(expiring, kept), 8));
		assertThat(this.store.load(saved).orElseThrow().pendingMessages()).containsExactly(expiring, kept);
	}

	@Test
	void callersCannotChangeStoredStateThroughReferences() {
		String clientId = newClientId();
		byte[] payload = "original".getBytes(StandardCharsets.UTF_8);
		PendingMessage message = new PendingMessage(State.OUTBOUND_PUBLISH, 1, "copy/a", payload, 1, false);
		List<Subscription> subscriptions = new ArrayList<>(List.of(new Subscription("copy/#", 1)));
		this.store.save(clientId, new MqttSession(subscriptions, List.of(message), 1));
		payload[0] = 'X';
		subscriptions.add(new Subscription("sneaked/in", 0));
		MqttSession loaded = this.store.load(clientId).orElseThrow();
		loaded.pendingMessages().get(0).payload()[0] = 'Y';
		assertThatThrownBy(() -> loaded.pendingMessages().add(message))
			.isInstanceOf(UnsupportedOperationException.class);
		assertThatThrownBy(() -> loaded.subscriptions().clear()).isInstanceOf(UnsupportedOperationException.class);
		MqttSession again = this.store.load(clientId).orElseThrow();
		assertThat(again.subscriptions()).containsExactly(new Subscription("copy/#", 1));
		assertThat(new String(again.pendingMessages().get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("original");
	}

	@Test
	void pendingMessagesKeepTheirOrder() {
		String clientId = newClientId();
		List<PendingMessage> expected = new ArrayList<>();
		State[] states = { State.OFFLINE_BUFFERED, State.OUTBOUND_PUBLISH, State.INBOUND_PUBLISH };
		for (int i = 0; i < 60; i++) {
			int packetId = 60_000 - i * 997 % 50_000;
			PendingMessage message = publish(states[i % 3], packetId, "order/" + i, "m" + i);
			expected.add(message);
			this.store.addPendingMessage(clientId, message);
		}
		assertThat(this.store.load(clientId).orElseThrow().pendingMessages()).containsExactlyElementsOf(expected);
		PendingMessage removed = expected.remove(10);
		this.store.removePendingMessage(clientId, removed.state(), removed.packetId());
		PendingMessage replacement = publish(expected.get(5).state(), expected.get(5).packetId(), "order/replaced",
				"r");
		expected.set(5, replacement);
		this.store.addPendingMessage(clientId, replacement);
		PendingMessage pubrel = PendingMessage.pubrel(expected.get(20).packetId());
		expected.add(pubrel);
		this.store.addPendingMessage(clientId, pubrel);
		assertThat(this.store.load(clientId).orElseThrow().pendingMessages()).containsExactlyElementsOf(expected);
	}

	@Test
	void fineGrainedOperationsChangeOnlyWhatTheyName() {
		String clientId = newClientId();
		this.store.addSubscription(clientId, new Subscription("a/#", 0));
		this.store.addSubscription(clientId, new Subscription("b/+", 1));
		this.store.addSubscription(clientId, new Subscription("a/#", 2));
		this.store.addPendingMessage(clientId, publish(State.OUTBOUND_PUBLISH, 5, "a/x", "x"));
		this.store.setPacketId(clientId, 5);
		this.store.removeSubscription(clientId, "b/+");
		this.store.removeSubscription(clientId, "never/subscribed");
		this.store.removePendingMessage(clientId, State.OUTBOUND_PUBREL, 5);
		this.store.removePendingMessage(newClientId(), State.OUTBOUND_PUBLISH, 5);
		this.store.removeSubscription(newClientId(), "a/#");
		MqttSession session = this.store.load(clientId).orElseThrow();
		assertThat(session.subscriptions()).containsExactly(new Subscription("a/#", 2));
		assertThat(session.pendingMessages()).containsExactly(publish(State.OUTBOUND_PUBLISH, 5, "a/x", "x"));
		assertThat(session.packetId()).isEqualTo(5);
		this.store.setPacketId(clientId, 65_535);
		this.store.removePendingMessage(clientId, State.OUTBOUND_PUBLISH, 5);
		assertThat(this.store.load(clientId))
			.contains(new MqttSession(List.of(new Subscription("a/#", 2)), List.of(), 65_535));
	}

	@Test
	void whetherASubscriptionIsConfiguredIsStoredAndAChangeOfItAloneIsWritten() {
		String clientId = newClientId();
		this.store.addSubscription(clientId, new Subscription("configured/#", 1, true));
		this.store.addSubscription(clientId, new Subscription("runtime/#", 1));
		assertThat(this.store.load(clientId).orElseThrow().subscriptions())
			.containsExactly(new Subscription("configured/#", 1, true), new Subscription("runtime/#", 1, false));
		this.store.addSubscription(clientId, new Subscription("configured/#", 1));
		this.store.addSubscription(clientId, new Subscription("runtime/#", 1, true));
		assertThat(this.store.load(clientId).orElseThrow().subscriptions())
			.containsExactly(new Subscription("configured/#", 1), new Subscription("runtime/#", 1, true));
		MqttSession loaded = this.store.load(clientId).orElseThrow();
		MqttSession flipped = new MqttSession(
				List.of(new Subscription("configured/#", 1, true), new Subscription("runtime/#", 1)),
				loaded.pendingMessages(), loaded.packetId());
		this.store.save(clientId, flipped);
		assertThat(this.store.load(clientId)).contains(flipped);
	}

	@Test
	void appliedChangesTakeEffectInOrder() {
		String clientId = newClientId();
		this.store.addSubscription(clientId, new Subscription("a/#", 1));
		this.store.setPacketId(clientId, 7);
		PendingMessage stored = publish(State.OUTBOUND_PUBLISH, 5, "a/old", "old");
		this.store.addPendingMessage(clientId, stored);
		PendingMessage reused = publish(State.OUTBOUND_PUBLISH, 5, "a/new", "new");
		PendingMessage kept = publish(State.OUTBOUND_PUBLISH, 6, "a/kept", "kept");
		PendingMessage acknowledged = publish(State.OUTBOUND_PUBLISH, 7, "a/gone", "gone");
		this.store.applyPendingMessageChanges(clientId,
				List.of(new PendingMessageChange.Removed(State.OUTBOUND_PUBLISH, 5),
						new PendingMessageChange.Added(reused), new PendingMessageChange.Added(kept),
						new PendingMessageChange.Added(acknowledged),
						new PendingMessageChange.Removed(State.OUTBOUND_PUBLISH, 7),
						new PendingMessageChange.Added(PendingMessage.pubrel(6)),
						new PendingMessageChange.Removed(State.INBOUND_PUBLISH, 99)));
		assertThat(this.store.load(clientId)).contains(new MqttSession(List.of(new Subscription("a/#", 1)),
				List.of(reused, kept, PendingMessage.pubrel(6)), 7));
		this.store.applyPendingMessageChanges(clientId, List.of());
		String other = newClientId();
		this.store.applyPendingMessageChanges(other, List.of(new PendingMessageChange.Added(kept)));
		assertThat(this.store.load(other)).contains(new MqttSession(List.of(), List.of(kept), 0));
		String unknown = newClientId();
		this.store.applyPendingMessageChanges(unknown,
				List.of(new PendingMessageChange.Removed(State.OUTBOUND_PUBLISH, 1)));
		assertThat(this.store.load(unknown)).isEmpty();
	}

	@Test
	void setPacketIdCreatesASessionWhenNoneIsStored() {
		String clientId = newClientId();
		this.store.setPacketId(clientId, 42);
		assertThat(this.store.load(clientId)).contains(new MqttSession(List.of(), List.of(), 42));
	}

	@Test
	void saveAfterLoadWritesChangesRemovalsAndAppends() {
		String clientId = newClientId();
		this.store.save(clientId, fullSession());
		MqttSession loaded = this.store.load(clientId).orElseThrow();
		List<PendingMessage> messages = new ArrayList<>(loaded.pendingMessages());
		messages.remove(1);
		messages.set(0, publish(messages.get(0).state(), messages.get(0).packetId(), "changed/topic", "changed"));
		messages.add(publish(State.OFFLINE_BUFFERED, 200, "appended/one", "new"));
		List<Subscription> subscriptions = List.of(loaded.subscriptions().get(1), new Subscription("new/#", 1));
		MqttSession changed = new MqttSession(subscriptions, messages, 200);
		this.store.save(clientId, changed);
		assertThat(this.store.load(clientId)).contains(changed);
	}

	@Test
	void saveMayReorderPendingMessages() {
		String clientId = newClientId();
		this.store.save(clientId, fullSession());
		List<PendingMessage> reversed = new ArrayList<>(fullSession().pendingMessages());
		java.util.Collections.reverse(reversed);
		MqttSession reordered = new MqttSession(fullSession().subscriptions(), reversed, 100);
		this.store.load(clientId);
		this.store.save(clientId, reordered);
		assertThat(this.store.load(clientId)).contains(reordered);
	}

	@Test
	void invalidClientIdsAreRefusedWithTheRule() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.store.load(" "))
			.withMessageContaining("Client id must not be blank");
		assertThatIllegalArgumentException().isThrownBy(() -> this.store.save("", MqttSession.EMPTY))
			.withMessageContaining("Client id must not be blank");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.store.addPendingMessage(null, PendingMessage.pubrel(1)))
			.withMessageContaining("Client id must not be blank");
	}

	@Test
	void manyThreadsOnOneClientLoseNoUpdate() throws Exception {
		assumeTrue(supportsConcurrentWriters(), "the store is single-writer per client id");
		String clientId = newClientId();
		int threads = 8;
		int perThread = 40;
		runConcurrently(threads, (thread) -> {
			for (int i = 0; i < perThread; i++) {
				int packetId = thread * perThread + i + 1;
				this.store.addPendingMessage(clientId,
						publish(State.OUTBOUND_PUBLISH, packetId, "t/" + thread, "p" + i));
				this.store.addSubscription(clientId, new Subscription("t/" + thread + "/" + i, 1));
				if (i % 4 == 0) {
					this.store.removePendingMessage(clientId, State.OUTBOUND_PUBLISH, packetId);
					this.store.removeSubscription(clientId, "t/" + thread + "/" + i);
				}
			}
		});
		MqttSession session = this.store.load(clientId).orElseThrow();
		assertThat(session.pendingMessages()).hasSize(threads * perThread * 3 / 4);
		assertThat(session.subscriptions()).hasSize(threads * perThread * 3 / 4);
		assertThat(session.pendingMessages()).extracting(PendingMessage::packetId)
			.doesNotContain(1, 5, perThread * 3 + 1)
			.contains(2, perThread * threads);
	}

	@Test
	void manyThreadsOnManyClientsLoseNoUpdate() throws Exception {
		assumeTrue(supportsConcurrentWriters(), "the store is single-writer per client id");
		String prefix = newClientId();
		runConcurrently(8, (thread) -> {
			for (int i = 1; i <= 30; i++) {
				String clientId = prefix + "-" + (i % 4);
				this.store.addPendingMessage(clientId,
						publish(State.OFFLINE_BUFFERED, thread * 100 + i, "c/" + i, "p"));
				this.store.setPacketId(clientId, thread * 100 + i);
			}
		});
		int total = 0;
		for (int c = 0; c < 4; c++) {
			total += this.store.load(prefix + "-" + c).orElseThrow().pendingMessages().size();
		}
		assertThat(total).isEqualTo(8 * 30);
	}

	@Test
	void listsSessionsAndDeletesIdleOnes() {
		SessionListing listing = feature(SessionListing.class);
		IdleSessionCleanup cleanup = feature(IdleSessionCleanup.class);
		List<SessionSummary> before = listing.listSessions();
		String clientId = newClientId();
		Instant start = Instant.now().minusSeconds(1);
		this.store.save(clientId, fullSession());
		SessionSummary summary = summary(listing, clientId);
		assertThat(summary.subscriptionCount()).isEqualTo(2);
		assertThat(summary.pendingMessageCount()).isEqualTo(5);
		assertThat(summary.packetId()).isEqualTo(100);
		assertThat(summary.lastUpdated()).isAfter(start);
		assertThat(listing.listSessions()).hasSize(before.size() + 1);
		cleanup.deleteSessionsIdleSince(start);
		assertThat(this.store.load(clientId)).isPresent();
		assertThat(cleanup.deleteSessionsIdleSince(Instant.now().plusSeconds(60))).isGreaterThanOrEqualTo(1);
		assertThat(this.store.load(clientId)).isEmpty();
	}

	@Test
	void oneOwnerAtATimeHoldsALease() {
		SessionLeasing leasing = feature(SessionLeasing.class);
		String clientId = newClientId();
		Instant start = Instant.now();
		assertThat(leasing.acquireLease(clientId, "instance-a", Duration.ofSeconds(60))).isEmpty();
		assertThat(leasing.acquireLease(clientId, "instance-b", Duration.ofSeconds(60))).contains("instance-a");
		assertThat(leasing.acquireLease(clientId, "instance-a", Duration.ofSeconds(120))).isEmpty();
		leasing.releaseLease(clientId, "instance-b");
		assertThat(leasing.acquireLease(clientId, "instance-b", Duration.ofSeconds(60))).contains("instance-a");
		leasing.releaseLease(clientId, "instance-a");
		assertThat(leasing.acquireLease(clientId, "instance-b", Duration.ofSeconds(60))).isEmpty();
		assertThat(this.store.load(clientId)).as("taking a lease creates the session").isPresent();
		this.store.feature(SessionListing.class).ifPresent((listing) -> {
			SessionSummary summary = summary(listing, clientId);
			assertThat(summary.owner()).isEqualTo("instance-b");
			assertThat(summary.isLeased(Instant.now())).isTrue();
			assertThat(summary.leaseExpiresAt()).as("the duration counts from when the lease is taken")
				.isAfterOrEqualTo(start.plusSeconds(60))
				.isBefore(Instant.now().plusSeconds(61));
		});
	}

	@Test
	void aLeaseLastsAPositiveDuration() {
		SessionLeasing leasing = feature(SessionLeasing.class);
		String clientId = newClientId();
		assertThatIllegalArgumentException().isThrownBy(() -> leasing.acquireLease(clientId, "a", Duration.ZERO));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> leasing.acquireLease(clientId, "a", Duration.ofSeconds(-1)));
	}

	@Test
	void aLeaseOwnerIsAtMostTheLongestOwnerName() {
		SessionLeasing leasing = feature(SessionLeasing.class);
		String clientId = newClientId();
		String longest = "ö".repeat(SessionLeasing.MAX_OWNER_LENGTH);
		assertThat(leasing.acquireLease(clientId, longest, Duration.ofSeconds(60))).isEmpty();
		assertThat(leasing.acquireLease(clientId, "other", Duration.ofSeconds(60))).contains(longest);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> leasing.acquireLease(newClientId(), longest + "x", Duration.ofSeconds(60)))
			.withMessageContaining("at most " + SessionLeasing.MAX_OWNER_LENGTH + " characters");
	}

	@Test
	void anExpiredLeaseIsTakenOverAndALiveOneKeepsItsSessionFromExpiry() {
		SessionLeasing leasing = feature(SessionLeasing.class);
		IdleSessionCleanup cleanup = feature(IdleSessionCleanup.class);
		String expired = newClientId();
		String live = newClientId();
		assertThat(leasing.acquireLease(expired, "crashed", Duration.ofMillis(1))).isEmpty();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> leasing.acquireLease(expired, "successor", Duration.ofSeconds(60)).isEmpty());
		this.store.setPacketId(live, 7);
		leasing.acquireLease(live, "running", Duration.ofSeconds(60));
		this.store.save(expired, fullSession());
		leasing.releaseLease(expired, "successor");
		cleanup.deleteSessionsIdleSince(Instant.now().plusSeconds(30));
		assertThat(this.store.load(live)).isPresent();
		assertThat(this.store.load(expired)).isEmpty();
	}

	/** The store's feature, or the test is skipped: a store need not have it. */
	private <F extends SessionStoreFeature> F feature(Class<F> type) {
		Optional<F> feature = this.store.feature(type);
		assumeTrue(feature.isPresent(), "the store does not implement " + type.getSimpleName());
		return feature.get();
	}

	private static SessionSummary summary(SessionListing listing, String clientId) {
		return listing.listSessions()
			.stream()
			.filter((candidate) -> candidate.clientId().equals(clientId))
			.findFirst()
			.orElseThrow();
	}

	private void runConcurrently(int threads, ThreadWork work) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(executor.submit(() -> {
					work.run(thread);
					return null;
				}));
			}
			for (Future<?> future : futures) {
				future.get(2, TimeUnit.MINUTES);
			}
		}
		finally {
			// Not shutdownNow(): an interrupt in the middle of file I/O closes an H2
			// database for good.
			executor.shutdown();
			executor.awaitTermination(2, TimeUnit.MINUTES);
		}
	}

	/**
	 * A client id no other test uses.
	 * @return the client id
	 */
	protected static String newClientId() {
		return "contract-" + UUID.randomUUID();
	}

	/**
	 * A session with two subscriptions (one configured), a message in each state (one
	 * with the dup flag, retain flag and MQTT 5 properties) and packet id 100.
	 * @return the session
	 */
	protected static MqttSession fullSession() {
		return new MqttSession(List.of(new Subscription("sensors/#", 1, true), new Subscription("rooms/+/temp", 2)),
				List.of(publish(State.OUTBOUND_PUBLISH, 98, "sensors/a", "one"), PendingMessage.pubrel(97),
						publish(State.INBOUND_PUBLISH, 12, "rooms/kitchen/temp", "21.5"),
						publish(State.OFFLINE_BUFFERED, 99, "sensors/b", "three"),
						new PendingMessage(State.OUTBOUND_PUBLISH, 100, "sensors/c",
								"four".getBytes(StandardCharsets.UTF_8), 2, true, true,
								new byte[] { 0x01, 0x01, 0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v' })),
				100);
	}

	/**
	 * A QoS 2 message (QoS 1 would do as well) with a text payload.
	 * @param state the state
	 * @param packetId the packet id
	 * @param topic the topic
	 * @param payload the payload text
	 * @return the message
	 */
	protected static PendingMessage publish(State state, int packetId, String topic, String payload) {
		return new PendingMessage(state, packetId, topic, payload.getBytes(StandardCharsets.UTF_8), 2, false);
	}

	@FunctionalInterface
	private interface ThreadWork {

		void run(int thread) throws Exception;

	}

}
