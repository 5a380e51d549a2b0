package io.github.mqttsession.paho;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.MqttPersistenceException;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPubRec;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPubRel;
import org.eclipse.paho.client.mqttv3.internal.wire.MqttPublish;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * How the persistence writes to a store that gathers writes: publishers that wait at the
 * same time share one store call, an acknowledgement that comes before the write makes
 * both needless, removals do not wait, and a failure reaches only the publisher whose
 * write failed. The store is the in-memory one, told to gather writes, behind a gate that
 * holds the writer inside a store call for as long as a test needs.
 */
class GatheredWritesTests {

	private final GatedStore store = new GatedStore();

	private final SessionStoreMqttClientPersistence persistence = new SessionStoreMqttClientPersistence(this.store,
			"gathered");

	@AfterEach
	void release() {
		this.store.open();
		this.persistence.release();
	}

	@Test
	void publishersWaitingAtTheSameTimeShareOneStoreCall() throws Exception {
		// Every publish is committed as soon as the writer is free
		this.persistence.setWriteDelay(Duration.ZERO);
		this.persistence.open("gathered", "tcp://unused");
		this.store.close();
		CompletableFuture<Void> first = publishDurably(1);
		this.store.awaitHeld();
		CountDownLatch queued = new CountDownLatch(7);
		List<CompletableFuture<Void>> others = new ArrayList<>();
		for (int id = 2; id <= 8; id++) {
			others.add(publishDurably(id, queued));
		}
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(first).isNotDone();
		assertThat(others).noneMatch(CompletableFuture::isDone);
		// Once the store is free again, the writer takes them all
		this.store.open();
		first.get(10, TimeUnit.SECONDS);
		for (CompletableFuture<Void> other : others) {
			other.get(10, TimeUnit.SECONDS);
		}
		assertThat(this.store.calls).hasSize(2);
		assertThat(this.store.calls.get(1)).hasSize(7).allMatch(PendingMessageChange.Added.class::isInstance);
		assertThat(storedPacketIds()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
	}

	@Test
	void anAcknowledgementBeforeTheWriteReleasesThePublisherAndNeitherIsWritten() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.store.close();
		CompletableFuture<Void> first = publishDurably(1);
		this.store.awaitHeld();
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> acknowledged = publishDurably(2, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(acknowledged).isNotDone();
		this.persistence.remove("s-2");
		acknowledged.get(10, TimeUnit.SECONDS);
		assertThat(first).isNotDone();
		this.store.open();
		first.get(10, TimeUnit.SECONDS);
		this.persistence.close();
		assertThat(this.store.calls).containsExactly(List
			.of(new PendingMessageChange.Added(this.store.load("gathered").orElseThrow().pendingMessages().get(0))));
		assertThat(storedPacketIds()).containsExactly(1);
	}

	@Test
	void aPublishAcknowledgedWithinTheWriteDelayIsNeverWritten() throws Exception {
		this.persistence.setWriteDelay(Duration.ofMinutes(1));
		this.persistence.open("gathered", "tcp://unused");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> publisher = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(publisher).isNotDone();
		this.persistence.remove("s-1");
		publisher.get(10, TimeUnit.SECONDS);
		this.persistence.close();
		assertThat(this.store.calls).isEmpty();
		assertThat(storedPacketIds()).isEmpty();
	}

	@Test
	void aPublishNotAcknowledgedIsWrittenOnceTheWriteDelayPassed() throws Exception {
		this.persistence.setWriteDelay(Duration.ofSeconds(1));
		this.persistence.open("gathered", "tcp://unused");
		long start = System.nanoTime();
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> publisher = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(this.store.calls).isEmpty();
		publisher.get(10, TimeUnit.SECONDS);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
		assertThat(this.store.calls).hasSize(1);
		assertThat(storedPacketIds()).containsExactly(1);
	}

	@Test
	void publishesDoNotWaitWhereCommitsComeSoonerThanAcknowledgements() throws Exception {
		this.persistence.setWriteDelay(Duration.ofSeconds(10));
		this.persistence.open("gathered", "tcp://unused");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> first = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		// A broker that takes its time, and a store that commits in microseconds
		Thread.sleep(100);
		this.persistence.remove("s-1");
		first.get(10, TimeUnit.SECONDS);
		this.persistence.put("s-9", publish(9));
		// Waiting would only hold the publisher up: committed at once, not after 5 s
		publishDurably(2).get(4, TimeUnit.SECONDS);
		assertThat(storedPacketIds()).containsExactlyInAnyOrder(9, 2);
	}

	@Test
	void writesNoAcknowledgementCanMakeNeedlessAreCommittedAtOnceWithTheRemovalsButNotTheWaitingPublishes()
			throws Exception {
		this.persistence.setWriteDelay(Duration.ofMinutes(1));
		this.persistence.open("gathered", "tcp://unused");
		// Outside publishDurably a put returns once written, before Paho sends
		this.persistence.put("s-1", publish(1));
		assertThat(storedPacketIds()).containsExactly(1);
		// An acknowledgement's removal may wait, and does
		this.persistence.remove("s-1");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> waiting = publishDurably(2, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(storedPacketIds()).containsExactly(1);
		// A QoS 2 publish is written before Paho may send it: its commit takes the
		// removal along; the waiting publish stays for its acknowledgement
		publishQos2Durably(3).get(10, TimeUnit.SECONDS);
		assertThat(storedPacketIds()).containsExactly(3);
		assertThat(waiting).isNotDone();
		this.persistence.remove("s-2");
		waiting.get(10, TimeUnit.SECONDS);
		this.persistence.close();
		assertThat(storedPacketIds()).containsExactly(3);
		assertThat(this.store.calls).hasSize(2);
	}

	@Test
	void aPacketIdWrittenTwiceInOneCommitMayWaitAgainWhileOtherPublishesStayQueued() throws Exception {
		this.persistence.setWriteDelay(Duration.ofMinutes(1));
		this.persistence.open("gathered", "tcp://unused");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> waiting = publishDurably(2, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		// Packet id 1 removed and stored again in one commit, while packet id 2 waits
		this.persistence.put("s-1", publish(1));
		this.persistence.remove("s-1");
		this.persistence.put("s-1", publish(1));
		this.persistence.remove("s-1");
		publishQos2Durably(3).get(10, TimeUnit.SECONDS);
		assertThat(storedPacketIds()).containsExactly(3);
		int calls = this.store.calls.size();
		// Packet id 1 once more: it waits for its acknowledgement, as any new publish
		CountDownLatch reusedQueued = new CountDownLatch(1);
		CompletableFuture<Void> reused = publishDurably(1, reusedQueued);
		assertThat(reusedQueued.await(10, TimeUnit.SECONDS)).isTrue();
		this.persistence.remove("s-1");
		reused.get(10, TimeUnit.SECONDS);
		this.persistence.remove("s-2");
		waiting.get(10, TimeUnit.SECONDS);
		this.persistence.close();
		assertThat(this.store.calls).hasSize(calls);
		assertThat(storedPacketIds()).containsExactly(3);
	}

	@Test
	void aRemovalNoCommitTakesAlongIsCommittedOnceTheWriteDelayPassed() throws Exception {
		this.persistence.setWriteDelay(Duration.ofMillis(500));
		this.persistence.open("gathered", "tcp://unused");
		this.persistence.put("s-1", publish(1));
		long start = System.nanoTime();
		this.persistence.remove("s-1");
		// Nothing else is written: the removal waits the delay, then is committed alone
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(storedPacketIds()).isEmpty());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
		assertThat(this.store.calls).hasSize(2);
	}

	@Test
	void aFailedRemovalIsTriedAgainEverySecondWhileWritesWait() throws Exception {
		failTheRemovalOfPacketId1(Duration.ofMinutes(1));
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> waiting = publishDurably(2, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		int before = this.store.attempts.get();
		// Tried again a second after it failed, without the waiting publish: a few store
		// calls in two seconds, not as many as the writer could loop
		await().during(Duration.ofSeconds(2))
			.atMost(Duration.ofSeconds(3))
			.until(() -> this.store.attempts.get() - before <= 10);
		assertThat(this.store.attempts.get() - before).isBetween(1, 10);
		assertThat(waiting).isNotDone();
		this.persistence.remove("s-2");
		waiting.get(10, TimeUnit.SECONDS);
		this.store.failWhen((changes) -> false);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(storedPacketIds()).containsExactly(3));
	}

	@Test
	void aPublishUnderTheKeyOfAFailedRemovalIsWrittenEvenWhenAcknowledgedAtOnce() throws Exception {
		failTheRemovalOfPacketId1(Duration.ofSeconds(2));
		// Packet id 1 again, while the store still holds the acknowledged message the
		// failed removal was for: acknowledged at once, the new one must still be
		// written over it, or the old one would stay stored for good
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> reused = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		this.persistence.remove("s-1");
		reused.get(10, TimeUnit.SECONDS);
		this.store.failWhen((changes) -> false);
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(storedPacketIds()).containsExactly(3));
	}

	@Test
	void aStopWritesTheHeldPublishes() throws Exception {
		this.persistence.setWriteDelay(Duration.ofMinutes(1));
		this.persistence.open("gathered", "tcp://unused");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> publisher = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		this.persistence.release();
		publisher.get(10, TimeUnit.SECONDS);
		assertThat(storedPacketIds()).containsExactly(1);
	}

	@Test
	void anAcknowledgementWhileTheWriteIsUnderWayReleasesThePublisherAndTheRemovalFollows() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.store.close();
		CompletableFuture<Void> publisher = publishDurably(1);
		this.store.awaitHeld();
		assertThat(publisher).isNotDone();
		this.persistence.remove("s-1");
		publisher.get(10, TimeUnit.SECONDS);
		this.store.open();
		this.persistence.close();
		assertThat(this.store.calls.stream().flatMap(List::stream).map(Object::getClass).map(Class::getSimpleName))
			.containsExactly("Added", "Removed");
		assertThat(storedPacketIds()).isEmpty();
	}

	@Test
	void aRemovalReturnsBeforeItIsWrittenAndIsWrittenInOrder() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.persistence.put("s-1", publish(1));
		this.store.close();
		CompletableFuture<Void> second = publishDurably(2);
		this.store.awaitHeld();
		this.persistence.remove("s-1");
		CountDownLatch queued = new CountDownLatch(1);
		CompletableFuture<Void> reused = publishDurably(1, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		// Packet id 1 again, behind its earlier removal: acknowledged, its publisher goes
		// on, yet all three writes are made, in order, since the row the first removal
		// deletes is still there.
		this.persistence.remove("s-1");
		reused.get(10, TimeUnit.SECONDS);
		assertThat(second).isNotDone();
		this.store.open();
		second.get(10, TimeUnit.SECONDS);
		this.persistence.close();
		assertThat(this.store.calls.stream()
			.flatMap(List::stream)
			.filter((change) -> !(change instanceof PendingMessageChange.Added added)
					|| added.message().packetId() == 1)
			.map(Object::getClass)
			.map(Class::getSimpleName)).containsExactly("Added", "Removed", "Added", "Removed");
		assertThat(storedPacketIds()).containsExactly(2);
	}

	@Test
	void aQos2PublishIsStoredBeforePahoMaySendItEvenInsideDurablePublish() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.store.close();
		CountDownLatch putReturned = new CountDownLatch(1);
		CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
			try {
				this.persistence.publishDurably(() -> {
					MqttPublish publish = publish(3);
					publish.getMessage().setQos(2);
					this.persistence.put("s-3", publish);
					putReturned.countDown();
					return null;
				});
			}
			catch (MqttPersistenceException ex) {
				throw new IllegalStateException(ex);
			}
		});
		this.store.awaitHeld();
		assertThat(putReturned.await(200, TimeUnit.MILLISECONDS)).isFalse();
		this.store.open();
		publisher.get(10, TimeUnit.SECONDS);
		assertThat(putReturned.getCount()).isZero();
		assertThat(storedPacketIds()).containsExactly(3);
	}

	@Test
	void aPutOutsideDurablePublishIsStoredWhenItReturns() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.persistence.put("s-9", publish(9));
		assertThat(this.store.calls).hasSize(1);
		assertThat(storedPacketIds()).containsExactly(9);
	}

	@Test
	void onlyThePublisherWhoseWriteFailedHearsOfIt() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		this.store.failWhen((changes) -> changes.stream()
			.anyMatch(
					(change) -> change instanceof PendingMessageChange.Added added && added.message().packetId() == 3));
		this.store.close();
		CompletableFuture<Void> first = publishDurably(1);
		this.store.awaitHeld();
		CountDownLatch queued = new CountDownLatch(3);
		CompletableFuture<Void> two = publishDurably(2, queued);
		CompletableFuture<Void> three = publishDurably(3, queued);
		CompletableFuture<Void> four = publishDurably(4, queued);
		assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
		this.store.open();
		first.get(10, TimeUnit.SECONDS);
		two.get(10, TimeUnit.SECONDS);
		four.get(10, TimeUnit.SECONDS);
		assertThat(three).failsWithin(Duration.ofSeconds(10))
			.withThrowableThat()
			.havingRootCause()
			.isInstanceOf(SessionStoreException.class)
			.withMessageContaining("packet id 3 refused");
		assertThat(storedPacketIds()).containsExactlyInAnyOrder(1, 2, 4);
	}

	@Test
	void theCompletionOfABufferedQos2SendRemovesItsBufferedRecordInTheSameWrite() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		MqttPublish buffered = publish(5);
		buffered.getMessage().setQos(2);
		this.persistence.put("sb-5", buffered);
		this.persistence.put("s-5", buffered);
		this.persistence.put("sc-5", new MqttPubRel(new MqttPubRec(buffered)));
		this.store.calls.clear();
		this.persistence.remove("s-5");
		this.persistence.remove("sc-5");
		this.persistence.remove("sb-5");
		this.persistence.close();
		PendingMessageChange publishRemoved = new PendingMessageChange.Removed(State.OUTBOUND_PUBLISH, 5);
		PendingMessageChange bufferedRemoved = new PendingMessageChange.Removed(State.OFFLINE_BUFFERED, 5);
		assertThat(this.store.calls.stream().flatMap(List::stream)).containsExactly(publishRemoved, bufferedRemoved,
				new PendingMessageChange.Removed(State.OUTBOUND_PUBREL, 5));
		assertThat(this.store.calls).anyMatch((call) -> call.containsAll(List.of(publishRemoved, bufferedRemoved)));
		assertThat(storedPacketIds()).isEmpty();
	}

	@Test
	void aBufferedMessageWhoseSendFailedBeforeItWasStoredTakesItsNewPacketIdInOneWrite() throws Exception {
		this.persistence.open("gathered", "tcp://unused");
		MqttPublish buffered = publish(5);
		this.persistence.put("sb-5", buffered);
		// Paho's drain thread meets a full in-flight window: the send fails before the
		// publish is stored, Paho removes the publish key and sends the message again
		// later under a new packet id.
		this.persistence.remove("s-5");
		this.store.calls.clear();
		MqttPublish resent = publish(9);
		resent.getMessage().setPayload(buffered.getMessage().getPayload());
		this.persistence.put("s-9", resent);
		this.persistence.remove("sb-9");
		this.persistence.close();
		assertThat(this.store.calls).hasSize(1);
		assertThat(this.store.calls.get(0)).hasSize(2)
			.startsWith(new PendingMessageChange.Removed(State.OFFLINE_BUFFERED, 5));
		assertThat(this.store.load("gathered").orElseThrow().pendingMessages())
			.extracting(PendingMessage::state, PendingMessage::packetId)
			.containsExactly(tuple(State.OUTBOUND_PUBLISH, 9));
	}

	@Test
	void aBufferedRecordLeftBesideItsPublishByACrashIsDeletedOnOpen() throws Exception {
		PendingMessage message = new PendingMessage(State.OFFLINE_BUFFERED, 7, "gathered/t",
				"m".getBytes(StandardCharsets.UTF_8), 2, false);
		PendingMessage publish = new PendingMessage(State.OUTBOUND_PUBLISH, 7, "gathered/t",
				"m".getBytes(StandardCharsets.UTF_8), 2, false);
		PendingMessage other = new PendingMessage(State.OFFLINE_BUFFERED, 8, "gathered/t",
				"n".getBytes(StandardCharsets.UTF_8), 2, false);
		this.store.save("gathered", new MqttSession(List.of(), List.of(message, publish, other), 8));
		this.persistence.open("gathered", "tcp://unused");
		assertThat(Collections.list(this.persistence.keys())).containsExactlyInAnyOrder("s-7", "sb-8");
		assertThat(this.store.load("gathered").orElseThrow().pendingMessages()).containsExactly(publish, other);
	}

	private CompletableFuture<Void> publishDurably(int packetId) {
		return publishDurably(packetId, new CountDownLatch(1));
	}

	/**
	 * Publishes from a thread of its own, as a publisher would, counting down once Paho's
	 * put has returned.
	 */
	private CompletableFuture<Void> publishDurably(int packetId, CountDownLatch queued) {
		return CompletableFuture.runAsync(() -> {
			try {
				this.persistence.publishDurably(() -> {
					this.persistence.put("s-" + packetId, publish(packetId));
					queued.countDown();
					return null;
				});
			}
			catch (MqttPersistenceException ex) {
				throw new IllegalStateException(ex);
			}
		}, (task) -> new Thread(task, "publisher-" + packetId).start());
	}

	/**
	 * Opens the persistence with a write delay and a store that refuses removals, stores
	 * packet id 1 and has its removal fail: a QoS 2 publish of packet id 3, which cannot
	 * wait, commits and takes the waiting removal along.
	 */
	private void failTheRemovalOfPacketId1(Duration writeDelay) throws Exception {
		this.persistence.setWriteDelay(writeDelay);
		this.persistence.open("gathered", "tcp://unused");
		this.persistence.put("s-1", publish(1));
		this.store.failWhen((changes) -> changes.stream().anyMatch(PendingMessageChange.Removed.class::isInstance));
		this.persistence.remove("s-1");
		publishQos2Durably(3).get(10, TimeUnit.SECONDS);
	}

	/** Publishes a QoS 2 message from a thread of its own, as a publisher would. */
	private CompletableFuture<Void> publishQos2Durably(int packetId) {
		return CompletableFuture.runAsync(() -> {
			try {
				this.persistence.publishDurably(() -> {
					MqttPublish publish = publish(packetId);
					publish.getMessage().setQos(2);
					this.persistence.put("s-" + packetId, publish);
					return null;
				});
			}
			catch (MqttPersistenceException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private List<Integer> storedPacketIds() {
		return this.store.load("gathered")
			.map((session) -> session.pendingMessages().stream().map(PendingMessage::packetId).toList())
			.orElse(List.of());
	}

	private static MqttPublish publish(int packetId) {
		MqttPublish publish = new MqttPublish("gathered/t",
				new MqttMessage(("m" + packetId).getBytes(StandardCharsets.UTF_8)));
		publish.getMessage().setQos(1);
		publish.setMessageId(packetId);
		return publish;
	}

	/**
	 * The in-memory store, told to gather writes, recording each call that writes pending
	 * messages; while closed, a call waits inside the store.
	 */
	static final class GatedStore extends InMemorySessionStore {

		final List<List<PendingMessageChange>> calls = Collections.synchronizedList(new ArrayList<>());

		private volatile CountDownLatch gate = new CountDownLatch(0);

		private final AtomicInteger held = new AtomicInteger();

		/** Every call, the failed ones too. */
		final AtomicInteger attempts = new AtomicInteger();

		private volatile Predicate<List<PendingMessageChange>> failure = (changes) -> false;

		void close() {
			this.gate = new CountDownLatch(1);
		}

		void open() {
			this.gate.countDown();
		}

		void awaitHeld() {
			await().atMost(Duration.ofSeconds(10)).until(() -> this.held.get() > 0);
		}

		void failWhen(Predicate<List<PendingMessageChange>> failure) {
			this.failure = failure;
		}

		@Override
		public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
			this.attempts.incrementAndGet();
			this.held.incrementAndGet();
			try {
				this.gate.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			this.held.decrementAndGet();
			if (this.failure.test(changes)) {
				throw new SessionStoreException("Could not write for client '" + clientId + "': packet id 3 refused");
			}
			super.applyPendingMessageChanges(clientId, changes);
			this.calls.add(List.copyOf(changes));
		}

		@Override
		public boolean gathersWrites() {
			return true;
		}

	}

}
