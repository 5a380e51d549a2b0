package io.github.mqttsession.store.jpa;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.actuate.MqttSessionsEndpoint;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDeletion;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Instances whose clocks are minutes apart share one database: a lease's end is reckoned
 * on the database's clock, so none takes another's live lease and none loses its own, and
 * their sessions endpoints agree on which sessions are live.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LeaseOnDatabaseClockTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration SKEW = Duration.ofMinutes(10);

	@ParameterizedTest
	@EnumSource
	void anInstanceWhoseClockIsOffNeitherTakesALiveLeaseNorLosesItsOwn(StoreDatabase database) {
		String id = UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create();
				JpaSessionStore right = store(dataSource, Duration.ZERO);
				JpaSessionStore ahead = store(dataSource, SKEW);
				JpaSessionStore behind = store(dataSource, SKEW.negated())) {
			// On its own clock, an instance ahead sees the live lease of one with the
			// right clock long run out
			assertThat(right.acquireLease("right-" + id, "right", LEASE)).isEmpty();
			assertThat(ahead.acquireLease("right-" + id, "ahead", LEASE)).contains("right");
			assertThat(behind.acquireLease("right-" + id, "behind", LEASE)).contains("right");
			// On the right clock, the lease of an instance behind would have run out
			// before it was taken
			assertThat(behind.acquireLease("behind-" + id, "behind", LEASE)).isEmpty();
			assertThat(right.acquireLease("behind-" + id, "right", LEASE)).contains("behind");
			assertThat(ahead.acquireLease("behind-" + id, "ahead", LEASE)).contains("behind");
			assertThat(ahead.acquireLease("ahead-" + id, "ahead", LEASE)).isEmpty();
			assertThat(right.acquireLease("ahead-" + id, "right", LEASE)).contains("ahead");
			// Idle cleanup on the clock ahead deletes none of the leased sessions
			ahead.deleteSessionsIdleSince(Clock.offset(Clock.systemUTC(), SKEW).instant());
			assertThat(right.listSessions()).filteredOn((summary) -> summary.clientId().endsWith(id))
				.extracting(SessionSummary::clientId)
				.containsExactlyInAnyOrder("right-" + id, "behind-" + id, "ahead-" + id);
			// Listing reports each lease's end on the database's clock, here the right
			// one
			Instant now = Instant.now();
			assertThat(right.listSessions()).filteredOn((summary) -> summary.clientId().endsWith(id))
				.allSatisfy((summary) -> assertThat(summary.leaseExpiresAt()).isBetween(now, now.plus(LEASE)));
		}
	}

	@ParameterizedTest
	@EnumSource
	void theSessionsEndpointOfAnInstanceWhoseClockIsOffJudgesLeasesOnTheDatabasesClock(StoreDatabase database) {
		String id = UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.create();
				JpaSessionStore right = store(dataSource, Duration.ZERO);
				JpaSessionStore ahead = store(dataSource, SKEW);
				JpaSessionStore behind = store(dataSource, SKEW.negated())) {
			assertThat(right.acquireLease("live-" + id, "right", LEASE)).isEmpty();
			assertThat(right.acquireLease("ran-out-" + id, "right", Duration.ofMillis(1))).isEmpty();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> right.listSessions()
					.stream()
					.filter((summary) -> summary.clientId().equals("ran-out-" + id))
					.noneMatch((summary) -> summary.isLeased(right.currentTime())));
			MqttSessionsEndpoint aheadEndpoint = endpoint(ahead, SKEW);
			MqttSessionsEndpoint behindEndpoint = endpoint(behind, SKEW.negated());
			// Ahead, the live lease would have run out; behind, the one that ran out
			// would be live
			assertThat(aheadEndpoint.deleteSession("live-" + id).outcome())
				.isEqualTo(SessionDeletion.Outcome.REFUSED_LIVE);
			assertThat(behindEndpoint.session("ran-out-" + id, false).live()).isFalse();
			assertThat(behindEndpoint.deleteSession("ran-out-" + id).outcome())
				.isEqualTo(SessionDeletion.Outcome.DELETED);
		}
	}

	private static MqttSessionsEndpoint endpoint(JpaSessionStore store, Duration offset) {
		return new MqttSessionsEndpoint(store, Stream::empty, Clock.offset(Clock.systemUTC(), offset));
	}

	private static JpaSessionStore store(HikariDataSource dataSource, Duration offset) {
		return new JpaSessionStore(dataSource, JpaSessionStore.DEFAULT_TABLE_PREFIX,
				Clock.offset(Clock.systemUTC(), offset));
	}

}
