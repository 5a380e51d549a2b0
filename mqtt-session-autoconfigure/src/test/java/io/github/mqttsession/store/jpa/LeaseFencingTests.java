package io.github.mqttsession.store.jpa;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessage.State;
import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two instances share one database and take turns at one session: once the second took
 * the session over, every write of the first fails, fenced by the lease's generation, and
 * changes nothing the second holds, even after the second gave the lease up again.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LeaseFencingTests {

	private static final Duration SHORT_LEASE = Duration.ofSeconds(1);

	@ParameterizedTest
	@EnumSource
	void everyWriteOfAnInstanceWhoseSessionWasTakenOverFails(StoreDatabase database) {
		String clientId = "fenced-" + UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create();
				JpaSessionStore first = new JpaSessionStore(dataSource);
				JpaSessionStore second = new JpaSessionStore(dataSource)) {
			assertThat(first.acquireLease(clientId, "first", SHORT_LEASE)).isEmpty();
			first.addPendingMessage(clientId, message(1, "before"));
			first.renewLease(clientId, "first", SHORT_LEASE);
			// The first instance pauses past its lease; the second takes the session over
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> second.acquireLease(clientId, "second", Duration.ofMinutes(1)).isEmpty());
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.addPendingMessage(clientId, message(2, "after")))
				.withMessageContaining("'first' no longer holds the lease")
				.withMessageContaining("instance 'second' took the session over")
				.satisfies((ex) -> assertThat(ex.getCurrentOwner()).isEqualTo("second"));
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.removePendingMessage(clientId, State.OUTBOUND_PUBLISH, 1));
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.addSubscription(clientId, new Subscription("fenced/#", 1)));
			assertThatExceptionOfType(SessionLeaseLostException.class).isThrownBy(() -> first.setPacketId(clientId, 7));
			assertThatExceptionOfType(SessionLeaseLostException.class).isThrownBy(() -> first.delete(clientId));
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.renewLease(clientId, "first", SHORT_LEASE));
			second.addPendingMessage(clientId, message(3, "second's"));
			// Given up by the second, the session may have changed under it: the first
			// instance's renewal and writes still fail, until it takes the lease afresh
			second.releaseLease(clientId, "second");
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.renewLease(clientId, "first", SHORT_LEASE));
			assertThatExceptionOfType(SessionLeaseLostException.class)
				.isThrownBy(() -> first.addPendingMessage(clientId, message(4, "late")))
				.withMessageContaining("another instance took the session over or it was deleted");
			MqttSession stored = second.load(clientId).orElseThrow();
			assertThat(stored.pendingMessages()).extracting(PendingMessage::packetId).containsExactly(1, 3);
			assertThat(stored.subscriptions()).isEmpty();
			assertThat(stored.packetId()).isZero();
			assertThat(first.acquireLease(clientId, "first", SHORT_LEASE)).isEmpty();
			first.addPendingMessage(clientId, message(5, "taken back"));
			assertThat(first.load(clientId).orElseThrow().pendingMessages()).extracting(PendingMessage::packetId)
				.containsExactly(1, 3, 5);
		}
	}

	@ParameterizedTest
	@EnumSource
	void deletingALeasedSessionEmptiesItAndKeepsTheLeaseUntilItIsGivenUp(StoreDatabase database) {
		String clientId = "fenced-delete-" + UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create();
				JpaSessionStore owner = new JpaSessionStore(dataSource);
				JpaSessionStore other = new JpaSessionStore(dataSource)) {
			assertThat(owner.acquireLease(clientId, "owner", Duration.ofMinutes(1))).isEmpty();
			owner.addSubscription(clientId, new Subscription("kept/#", 1));
			owner.addPendingMessage(clientId, message(1, "gone"));
			owner.setPacketId(clientId, 9);
			owner.delete(clientId);
			assertThat(other.load(clientId)).contains(MqttSession.EMPTY);
			assertThat(other.acquireLease(clientId, "other", Duration.ofMinutes(1))).contains("owner");
			owner.addPendingMessage(clientId, message(2, "next"));
			owner.releaseLease(clientId, "owner");
			// Without a lease, a delete removes the session
			owner.delete(clientId);
			assertThat(other.load(clientId)).isEmpty();
			// A session deleted last by its owner goes with the lease, as a clean
			// session's does when its client stops
			String clean = clientId + "-clean";
			assertThat(owner.acquireLease(clean, "owner", Duration.ofMinutes(1))).isEmpty();
			owner.addPendingMessage(clean, message(1, "gone"));
			owner.delete(clean);
			owner.releaseLease(clean, "owner");
			assertThat(other.load(clean)).isEmpty();
		}
	}

	@Test
	void aTakeoverWaitsForAWriteUnderWayAtMostAsLongAsTheLease() throws Exception {
		String clientId = "fenced-locked-" + UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = StoreDatabase.POSTGRESQL.create();
				JpaSessionStore first = new JpaSessionStore(dataSource);
				JpaSessionStore second = new JpaSessionStore(dataSource);
				Connection locking = dataSource.getConnection()) {
			assertThat(first.acquireLease(clientId, "first", SHORT_LEASE)).isEmpty();
			// A writer that holds the session row's lock and never ends its transaction
			locking.setAutoCommit(false);
			try (PreparedStatement lock = locking
				.prepareStatement("SELECT 1 FROM MQTT_SESSION WHERE CLIENT_ID = ? FOR UPDATE")) {
				lock.setString(1, clientId);
				lock.executeQuery().close();
			}
			// The first instance's lease runs out, on the database's clock
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> second.listSessions()
					.stream()
					.filter((summary) -> summary.clientId().equals(clientId))
					.noneMatch((summary) -> summary.isLeased(second.currentTime())));
			long started = System.nanoTime();
			assertThat(second.acquireLease(clientId, "second", SHORT_LEASE)).contains("first");
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
			locking.rollback();
			assertThat(second.acquireLease(clientId, "second", SHORT_LEASE)).isEmpty();
		}
	}

	@Test
	@ExpectedLog(logger = "com.zaxxer.hikari",
			reason = "the database ended the stopped writer's transaction, and with it its connection")
	void aWriterStoppedInsideItsTransactionLetsTheNextOwnerTakeTheSessionOver() throws Exception {
		String clientId = "fenced-stopped-" + UUID.randomUUID().toString().substring(0, 8);
		AtomicBoolean stopBeforeCommit = new AtomicBoolean();
		CompletableFuture<Void> stopped = new CompletableFuture<>();
		CompletableFuture<Void> resume = new CompletableFuture<>();
		try (HikariDataSource dataSource = StoreDatabase.POSTGRESQL.create();
				JpaSessionStore first = new JpaSessionStore(
						new StoppingDataSource(dataSource, stopBeforeCommit, stopped, resume));
				JpaSessionStore second = new JpaSessionStore(dataSource)) {
			Duration lease = Duration.ofSeconds(2);
			assertThat(first.acquireLease(clientId, "first", lease)).isEmpty();
			stopBeforeCommit.set(true);
			CompletableFuture<Void> write = CompletableFuture
				.runAsync(() -> first.addPendingMessage(clientId, message(1, "never committed")));
			stopped.get();
			// The first instance's transaction holds the row lock, idle, past its lease
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> second.acquireLease(clientId, "second", Duration.ofMinutes(1)).isEmpty());
			resume.complete(null);
			assertThat(write).failsWithin(Duration.ofSeconds(20))
				.withThrowableThat()
				.havingCause()
				.isInstanceOf(SessionStoreException.class);
			assertThat(second.load(clientId).orElseThrow().pendingMessages()).isEmpty();
		}
	}

	private static PendingMessage message(int packetId, String payload) {
		return new PendingMessage(State.OUTBOUND_PUBLISH, packetId, "fenced/" + packetId,
				payload.getBytes(StandardCharsets.UTF_8), 2, false);
	}

	/**
	 * A DataSource whose connections stop before a commit when asked, as a process frozen
	 * inside a transaction would.
	 */
	private static final class StoppingDataSource extends DelegatingDataSource {

		private final AtomicBoolean stopBeforeCommit;

		private final CompletableFuture<Void> stopped;

		private final CompletableFuture<Void> resume;

		StoppingDataSource(DataSource dataSource, AtomicBoolean stopBeforeCommit, CompletableFuture<Void> stopped,
				CompletableFuture<Void> resume) {
			super(dataSource);
			this.stopBeforeCommit = stopBeforeCommit;
			this.stopped = stopped;
			this.resume = resume;
		}

		@Override
		public Connection getConnection() throws SQLException {
			Connection connection = super.getConnection();
			return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
					(proxy, method, arguments) -> {
						if (method.getName().equals("commit") && this.stopBeforeCommit.getAndSet(false)) {
							this.stopped.complete(null);
							this.resume.join();
						}
						try {
							return method.invoke(connection, arguments);
						}
						catch (InvocationTargetException ex) {
							throw ex.getCause();
						}
					});
		}

	}

}
