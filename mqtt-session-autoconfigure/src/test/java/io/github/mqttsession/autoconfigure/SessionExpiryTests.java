package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.util.UUID;

import io.github.mqttsession.integration.SessionExpiry;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sessions idle for longer than mqtt.session.expiry are deleted, unless a running
 * instance leases them. (On a store that cannot delete idle sessions:
 * {@link StoreWithoutFeaturesTests}.)
 */
@ExtendWith(EmbeddedPostgresExtension.class)
class SessionExpiryTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(DataSourceAutoConfiguration.class, SessionStoreAutoConfiguration.class));

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "h2", "postgresql" })
	void anIdleSessionExpiresAndALeasedOneStays(String database) {
		String url = database.equals("h2") ? "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1"
				: EmbeddedPostgresExtension.jdbcUrl();
		String idle = "idle-" + UUID.randomUUID();
		String live = "live-" + UUID.randomUUID();
		this.runner
			.withPropertyValues("spring.datasource.url=" + url,
					"spring.datasource.username=" + (database.equals("h2") ? "sa" : "postgres"),
					"spring.datasource.password=" + (database.equals("h2") ? "" : "postgres"), "mqtt.session.expiry=3s",
					"mqtt.session.cleanup-interval=200ms")
			.run((context) -> {
				SessionStore store = context.getBean(SessionStore.class);
				store.setPacketId(idle, 1);
				store.setPacketId(live, 1);
				// Leased before it has been idle for the expiry
				store.feature(SessionLeasing.class)
					.orElseThrow()
					.acquireLease(live, "running-instance", Duration.ofSeconds(60));
				await().atMost(Duration.ofSeconds(15)).until(() -> store.load(idle).isEmpty());
				assertThat(store.load(live)).isPresent();
				// Counted once the delete has returned, a moment after the session is
				// gone
				await().atMost(Duration.ofSeconds(5))
					.until(() -> context.getBean(SessionExpiry.class).getExpiredSessionCount() >= 1);
			});
	}

	@Test
	void withoutExpiryNothingIsDeleted() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(SessionExpiry.class));
	}

	@Test
	void aNonPositiveExpiryIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("mqtt.session.expiry=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("mqtt.session.expiry"));
	}

}
