package io.github.mqttsession.store.jpa;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.TransactionalOutbox;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The JPA store's writes in a transaction of the caller's own
 * ({@link TransactionalOutbox}): stored if and only if the caller commits, replaced by
 * the publish's record in one store operation, and fenced on the session's lease.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class JpaTransactionalOutboxTests {

	@ParameterizedTest
	@EnumSource
	void aMessageWrittenInTheCallersTransactionIsStoredIfAndOnlyIfItCommits(StoreDatabase database) throws Exception {
		String clientId = "outbox-" + UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create(); JpaSessionStore store = new JpaSessionStore(dataSource)) {
			TransactionalOutbox outbox = store.feature(TransactionalOutbox.class).orElseThrow();
			assertThat(outbox.dataSource()).isSameAs(dataSource);
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				outbox.write(connection, clientId, List.of(message(1, "rolled back", 1)));
				connection.rollback();
				assertThat(store.load(clientId)).isEmpty();

				outbox.fence(connection, clientId);
				outbox.write(connection, clientId, List.of(message(1, "first", 1), message(2, "second", 0)));
				assertThat(store.load(clientId)).as("not committed yet").isEmpty();
				connection.commit();
			}
			assertThat(store.load(clientId).orElseThrow().pendingMessages()).containsExactly(message(1, "first", 1),
					message(2, "second", 0));

			PendingMessage published = new PendingMessage(State.OUTBOUND_PUBLISH, 7, "outbox/1",
					"first".getBytes(StandardCharsets.UTF_8), 1, false);
			store.applyPendingMessageChanges(clientId,
					List.of(new PendingMessageChange.Removed(State.TRANSACTIONAL_OUTBOX, 1),
							new PendingMessageChange.Added(published)));
			assertThat(store.load(clientId).orElseThrow().pendingMessages()).containsExactly(message(2, "second", 0),
					published);
		}
	}

	@ParameterizedTest
	@EnumSource
	void theCallersTransactionIsFencedOnTheLeaseJustBeforeItCommits(StoreDatabase database) throws Exception {
		String clientId = "outbox-fenced-" + UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create();
				JpaSessionStore first = new JpaSessionStore(dataSource);
				JpaSessionStore second = new JpaSessionStore(dataSource)) {
			TransactionalOutbox outbox = first.feature(TransactionalOutbox.class).orElseThrow();
			assertThat(first.acquireLease(clientId, "first", Duration.ofSeconds(1))).isEmpty();
			try (Connection connection = dataSource.getConnection()) {
				connection.setAutoCommit(false);
				outbox.fence(connection, clientId);
				outbox.write(connection, clientId, List.of(message(1, "held", 1)));
				connection.commit();

				await().atMost(Duration.ofSeconds(10))
					.pollInterval(Duration.ofMillis(100))
					.until(() -> second.acquireLease(clientId, "second", Duration.ofMinutes(1)).isEmpty());
				assertThatExceptionOfType(SessionLeaseLostException.class)
					.isThrownBy(() -> outbox.fence(connection, clientId))
					.withMessageContaining("instance 'second' took the session over");
				connection.rollback();
				// A write beside the fence of another transaction waits for nothing
				outbox.write(connection, clientId, List.of(message(2, "never committed", 1)));
				connection.rollback();
			}
			assertThat(second.load(clientId).orElseThrow().pendingMessages()).containsExactly(message(1, "held", 1));
		}
	}

	private static PendingMessage message(int number, String payload, int qos) {
		return new PendingMessage(State.TRANSACTIONAL_OUTBOX, number, "outbox/" + number,
				payload.getBytes(StandardCharsets.UTF_8), qos, false);
	}

}
