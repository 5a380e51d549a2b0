package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import io.github.mqttsession.store.LoadSaveDeleteOnlyStore;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.testsupport.MoquetteExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.integration.mqtt.core.ClientManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application's own store with only load, save and delete: the client runs on it
 * without the optional features, saying once that it holds no lease, and a feature asked
 * for by a property fails at start-up naming the property. (The endpoint on such a store:
 * {@code MqttSessionsEndpointTests}.)
 */
@ExtendWith({ MoquetteExtension.class, OutputCaptureExtension.class })
class StoreWithoutFeaturesTests {

	private static final String LEASES_OFF = "does not lease sessions";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttClientAutoConfiguration.class,
				IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.completion-timeout=5s", "mqtt.client.disconnect-timeout=1s",
				"mqtt.client.quiescent-timeout=0s");

	@Test
	void theClientRunsWithoutALeaseAndSaysSoOnce(CapturedOutput output) {
		this.runner.withBean(SessionStore.class, LoadSaveDeleteOnlyStore::new)
			.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(), "mqtt.client.client-id=no-lease",
					"mqtt.inbound.topics[0].filter=no-lease/#")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				// Connected: the client opened its session in the store, where it would
				// have taken the lease
				await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
			});
		assertThat(output.getAll().split(LEASES_OFF, -1)).as("the line saying leases are off, once").hasSize(2);
		assertThat(output).contains("The session store " + LoadSaveDeleteOnlyStore.class.getName())
			.contains("client id 'no-lease'")
			.contains("mqtt.session.lease.enabled=false");
	}

	@Test
	void withLeasesSwitchedOffNothingIsSaid(CapturedOutput output) {
		this.runner.withBean(SessionStore.class, LoadSaveDeleteOnlyStore::new)
			.withPropertyValues("mqtt.client.url=" + MoquetteExtension.url(), "mqtt.client.client-id=lease-off",
					"mqtt.session.lease.enabled=false")
			.run((context) -> {
				ClientManager<?, ?> manager = context.getBean(ClientManager.class);
				await().atMost(Duration.ofSeconds(20)).until(manager::isConnected);
			});
		assertThat(output).doesNotContain(LEASES_OFF);
	}

	@Test
	void sessionExpiryFailsAtStartUpNamingThePropertyAndWhatTheStoreLacks() {
		LoadSaveDeleteOnlyStore store = new LoadSaveDeleteOnlyStore();
		store.save("kept", MqttSession.EMPTY);
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class))
			.withBean(SessionStore.class, () -> store)
			.withPropertyValues("mqtt.session.expiry=7d")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = new MqttSessionFailureAnalyzer().analyze(context.getStartupFailure());
				assertThat(analysis.getDescription()).contains("mqtt.session.expiry is set")
					.contains(LoadSaveDeleteOnlyStore.class.getName())
					.contains("cannot delete idle sessions")
					.contains("IdleSessionCleanup");
				assertThat(analysis.getAction()).contains("Implement IdleSessionCleanup")
					.contains("unset mqtt.session.expiry");
			});
		assertThat(store.load("kept")).as("finding out touched no session").isPresent();
	}

}
