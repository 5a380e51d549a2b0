package io.github.mqttsession.store.jpa;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Instances whose clocks are minutes apart share one database: a lease's end is reckoned
 * on the database's clock, so none takes another's live lease and none loses its own.
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class LeaseOnDatabaseClockTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final Duration SKEW = Duration.ofMinutes(10);

	@ParameterizedTest
	@EnumSource
	void anInstanceWhoseClockIsOffNeitherTakesALiveLeaseNorLosesItsOwn(Database database) {
		String id = UUID.randomUUID().toString().substring(0, 8);
		try (HikariDataSource dataSource = database.dataSource.get();
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

	private static JpaSessionStore store(HikariDataSource dataSource, Duration offset) {
		return new JpaSessionStore(dataSource, JpaSessionStore.DEFAULT_TABLE_PREFIX,
				Clock.offset(Clock.systemUTC(), offset));
	}

	/** The databases the store runs on. */
	enum Database {

		H2(() -> tables(Databases.newH2File())),
		POSTGRESQL(() -> tables(Databases.postgres(EmbeddedPostgresExtension.jdbcUrl())));

		private final Supplier<HikariDataSource> dataSource;

		Database(Supplier<HikariDataSource> dataSource) {
			this.dataSource = dataSource;
		}

		private static HikariDataSource tables(HikariDataSource dataSource) {
			StoreTables.create(dataSource);
			return dataSource;
		}

	}

}
