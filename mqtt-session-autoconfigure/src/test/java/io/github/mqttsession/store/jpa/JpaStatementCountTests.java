package io.github.mqttsession.store.jpa;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves that the JPA store writes only what changed and loads with a fixed number of
 * queries, on a session that already holds 10,000 pending messages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JpaStatementCountTests {

	private static final int SESSION_SIZE = 10_000;

	private static final String CLIENT_ID = "statement-count";

	private HikariDataSource dataSource;

	private CountingDataSource counting;

	private JpaSessionStore store;

	/**
	 * A database with the store's tables.
	 * @return the DataSource
	 */
	abstract HikariDataSource createDataSource();

	@BeforeAll
	void createLargeSession() {
		this.dataSource = createDataSource();
		this.counting = new CountingDataSource(this.dataSource);
		this.store = new JpaSessionStore(this.counting.dataSource());
		List<PendingMessage> messages = new ArrayList<>();
		for (int i = 1; i <= SESSION_SIZE; i++) {
			messages.add(message(State.OUTBOUND_PUBLISH, i));
		}
		this.store.save(CLIENT_ID, new MqttSession(List.of(new Subscription("load/#", 1)), messages, SESSION_SIZE));
		this.store.setPacketId(CLIENT_ID, SESSION_SIZE);
	}

	@AfterAll
	void close() {
		this.store.close();
		this.dataSource.close();
	}

	@BeforeEach
	void resetCounts() {
		this.counting.reset();
	}

	@Test
	void addingAPendingMessageIsOneInsert() {
		this.store.addPendingMessage(CLIENT_ID, message(State.OUTBOUND_PUBREL, 1));
		assertThat(this.counting.statements()).hasSize(1);
		assertThat(this.counting.statements().get(0)).containsAnyOf("INSERT INTO MQTT_PENDING_MESSAGE",
				"MERGE INTO MQTT_PENDING_MESSAGE");
	}

	@Test
	void removingAPendingMessageIsOneDelete() {
		this.store.addPendingMessage(CLIENT_ID, message(State.OFFLINE_BUFFERED, 20_000));
		this.counting.reset();
		this.store.removePendingMessage(CLIENT_ID, State.OFFLINE_BUFFERED, 20_000);
		assertThat(this.counting.statements()).hasSize(1);
		assertThat(this.counting.statements().get(0)).startsWith("DELETE FROM MQTT_PENDING_MESSAGE");
	}

	@Test
	void aWriteOfManyChangesHasTheEffectOfEachChangeInTurn() {
		MqttSession before = this.store.load(CLIENT_ID).orElseThrow();
		List<PendingMessageChange> changes = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			// acknowledgements of stored messages, and new messages, interleaved
			PendingMessage stored = before.pendingMessages().get(i);
			changes.add(new PendingMessageChange.Removed(stored.state(), stored.packetId()));
			changes.add(new PendingMessageChange.Added(message(State.OUTBOUND_PUBREL, 40_000 + i)));
		}
		PendingMessage last = before.pendingMessages().get(before.pendingMessages().size() - 1);
		// removed and added again: goes to the end; added twice: keeps its first place
		changes.add(new PendingMessageChange.Removed(last.state(), last.packetId()));
		changes.add(new PendingMessageChange.Added(message(last.state(), last.packetId())));
		changes.add(new PendingMessageChange.Added(message(State.OFFLINE_BUFFERED, 40_000)));
		changes.add(new PendingMessageChange.Added(message(State.OUTBOUND_PUBREL, 40_001)));
		changes.add(new PendingMessageChange.Removed(State.OFFLINE_BUFFERED, 40_000));
		InMemorySessionStore expected = new InMemorySessionStore();
		expected.save(CLIENT_ID, before);
		expected.applyPendingMessageChanges(CLIENT_ID, changes);
		this.counting.reset();

		this.store.applyPendingMessageChanges(CLIENT_ID, changes);

		assertThat(this.counting.commitCount()).isOne();
		assertThat(this.store.load(CLIENT_ID).orElseThrow().pendingMessages())
			.isEqualTo(expected.load(CLIENT_ID).orElseThrow().pendingMessages());
	}

	@Test
	void removingAMessageThatWasNeverStoredIsOneDelete() {
		this.store.removePendingMessage(CLIENT_ID, State.OFFLINE_BUFFERED, 31_000);
		assertThat(this.counting.statements()).hasSize(1);
	}

	@Test
	void addingASubscriptionIsOneStatement() {
		this.store.addSubscription(CLIENT_ID, new Subscription("count/" + System.nanoTime(), 2));
		assertThat(this.counting.statements()).hasSize(1);
	}

	@Test
	void loadingTakesThreeQueries() {
		MqttSession session = this.store.load(CLIENT_ID).orElseThrow();
		assertThat(session.pendingMessages()).hasSizeGreaterThanOrEqualTo(SESSION_SIZE);
		assertThat(this.counting.statements()).hasSize(3).allMatch((sql) -> sql.startsWith("SELECT"));
	}

	@Test
	void savingTheLoadedSessionWithOneMessageMoreWritesTheSessionRowAndThatMessageOnly() {
		MqttSession loaded = this.store.load(CLIENT_ID).orElseThrow();
		List<PendingMessage> messages = new ArrayList<>(loaded.pendingMessages());
		messages.add(message(State.INBOUND_PUBLISH, 777));
		this.counting.reset();
		this.store.save(CLIENT_ID, new MqttSession(loaded.subscriptions(), messages, loaded.packetId()));
		List<String> statements = this.counting.statements();
		assertThat(statements).hasSize(2);
		assertThat(statements.get(0)).startsWith("UPDATE MQTT_SESSION");
		assertThat(statements.get(1)).containsPattern("^(INSERT|MERGE) INTO MQTT_PENDING_MESSAGE");
		assertThat(this.store.load(CLIENT_ID).orElseThrow().pendingMessages()).isEqualTo(messages);
		this.store.removePendingMessage(CLIENT_ID, State.INBOUND_PUBLISH, 777);
	}

	@Test
	void savingTheLoadedSessionWithOneMessageLessDeletesThatMessageOnly() {
		this.store.addPendingMessage(CLIENT_ID, message(State.INBOUND_PUBLISH, 778));
		MqttSession loaded = this.store.load(CLIENT_ID).orElseThrow();
		List<PendingMessage> messages = new ArrayList<>(loaded.pendingMessages());
		messages.removeIf((message) -> message.state() == State.INBOUND_PUBLISH && message.packetId() == 778);
		this.counting.reset();
		this.store.save(CLIENT_ID, new MqttSession(loaded.subscriptions(), messages, loaded.packetId()));
		assertThat(this.counting.statements()).hasSize(2);
		assertThat(this.counting.count("UPDATE")).isEqualTo(1);
		assertThat(this.counting.count("DELETE")).isEqualTo(1);
		assertThat(this.store.load(CLIENT_ID).orElseThrow().pendingMessages()).isEqualTo(messages);
	}

	@Test
	void savingWithoutHavingLoadedReadsTheStoredSessionAndWritesTheDifference() throws Exception {
		MqttSession stored = this.store.load(CLIENT_ID).orElseThrow();
		List<PendingMessage> messages = new ArrayList<>(stored.pendingMessages());
		messages.add(message(State.INBOUND_PUBLISH, 779));
		MqttSession wanted = new MqttSession(stored.subscriptions(), messages, stored.packetId());
		this.counting.reset();
		CompletableFuture.runAsync(() -> this.store.save(CLIENT_ID, wanted)).get();
		assertThat(this.counting.count("SELECT")).isEqualTo(3);
		assertThat(this.counting.count("UPDATE")).isEqualTo(1);
		assertThat(this.counting.statements()).filteredOn((sql) -> sql.contains("INTO MQTT_PENDING_MESSAGE"))
			.hasSize(1);
		assertThat(this.counting.statements()).hasSize(5);
		this.store.removePendingMessage(CLIENT_ID, State.INBOUND_PUBLISH, 779);
	}

	private static PendingMessage message(State state, int packetId) {
		if (state == State.OUTBOUND_PUBREL) {
			return PendingMessage.pubrel(packetId);
		}
		return new PendingMessage(state, packetId, "load/" + packetId,
				("payload of message " + packetId).getBytes(StandardCharsets.UTF_8), 1 + packetId % 2, false);
	}

}
