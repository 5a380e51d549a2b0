package io.github.mqttsession.autoconfigure;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.mqttsession.store.memory.InMemorySessionStore;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.boot.integration.autoconfigure.IntegrationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session's periodic work (lease renewal, expiry) runs on a scheduler of its own,
 * mqttSessionTaskScheduler, which an application may replace and which leaves Boot's own
 * executor and scheduler in place.
 */
class MqttSessionTaskSchedulerTests {

	private static final String SCHEDULER = "mqttSessionTaskScheduler";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				TaskSchedulingAutoConfiguration.class, SessionStoreAutoConfiguration.class));

	/**
	 * Nothing listens there: the client still opens its session, and takes its lease,
	 * while it tries to connect.
	 */
	private final ApplicationContextRunner clientRunner = this.runner
		.withConfiguration(AutoConfigurations.of(MqttClientAutoConfiguration.class, IntegrationAutoConfiguration.class))
		.withPropertyValues("mqtt.client.url=tcp://127.0.0.1:1", "mqtt.client.completion-timeout=1s",
				"mqtt.client.disconnect-timeout=1s", "mqtt.client.quiescent-timeout=0s");

	@Test
	void theSchedulerIsBuiltWithBootsBuilderAndLeavesBootsExecutorAndSchedulerInPlace() {
		this.runner.withUserConfiguration(Scheduling.class)
			.withPropertyValues("spring.task.scheduling.shutdown.await-termination-period=3s")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor").hasBean("taskScheduler");
				ThreadPoolTaskScheduler scheduler = context.getBean(SCHEDULER, ThreadPoolTaskScheduler.class);
				assertThat(scheduler).isNotSameAs(context.getBean("taskScheduler"));
				assertThat(scheduler.getScheduledThreadPoolExecutor().getCorePoolSize()).isEqualTo(2);
				assertThat(scheduler.getThreadNamePrefix()).isEqualTo("mqtt-session-");
				// A setting of Boot's builder came through
				assertThat(scheduler).hasFieldOrPropertyWithValue("awaitTerminationMillis", 3000L);
			});
	}

	@Test
	void withoutBootsBuilderTheSchedulerHasTheSameNameAndSize() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SessionStoreAutoConfiguration.class))
			.run((context) -> {
				ThreadPoolTaskScheduler scheduler = context.getBean(SCHEDULER, ThreadPoolTaskScheduler.class);
				assertThat(scheduler.getScheduledThreadPoolExecutor().getCorePoolSize()).isEqualTo(2);
				assertThat(scheduler.getThreadNamePrefix()).isEqualTo("mqtt-session-");
			});
	}

	@Test
	void anApplicationsOwnSchedulerOfThatNameIsUsed() {
		ThreadRecordingStore store = new ThreadRecordingStore();
		this.runner.withUserConfiguration(OwnScheduler.class)
			.withBean(InMemorySessionStore.class, () -> store)
			.withPropertyValues("mqtt.session.expiry=1h", "mqtt.session.cleanup-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SCHEDULER, ThreadPoolTaskScheduler.class).getThreadNamePrefix())
					.isEqualTo("own-");
				await().atMost(Duration.ofSeconds(10)).until(() -> store.expiryThreads.contains("own-1"));
			});
	}

	@Test
	void sessionExpiryRunsOnTheScheduler() {
		ThreadRecordingStore store = new ThreadRecordingStore();
		this.runner.withBean(InMemorySessionStore.class, () -> store)
			.withPropertyValues("mqtt.session.expiry=1h", "mqtt.session.cleanup-interval=100ms")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// Twice: the run is repeated, on the scheduler's threads only
				await().atMost(Duration.ofSeconds(10)).until(() -> store.expiryRuns.get() >= 2);
				assertThat(store.expiryThreads).isNotEmpty().allMatch((name) -> name.matches("mqtt-session-[12]"));
			});
	}

	@Test
	void theLeaseIsRenewedOnTheSchedulerUntilTheClientStops() {
		ThreadRecordingStore store = new ThreadRecordingStore();
		this.clientRunner.withBean(InMemorySessionStore.class, () -> store)
			.withPropertyValues("mqtt.client.client-id=scheduled-lease", "mqtt.session.lease.duration=1s",
					"mqtt.session.lease.owner=this-instance")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				// The first take runs where the client is created; every renewal after it
				// on the scheduler
				await().atMost(Duration.ofSeconds(10))
					.until(() -> store.leaseThreads.stream().anyMatch((name) -> name.startsWith("mqtt-session-")));
				assertThat(store.leaseThreads).filteredOn((name) -> name.startsWith("mqtt-session-"))
					.allMatch((name) -> name.matches("mqtt-session-[12]"));
				ThreadPoolTaskScheduler scheduler = context.getBean(SCHEDULER, ThreadPoolTaskScheduler.class);
				context.close();
				assertThat(scheduler.getScheduledExecutor().isShutdown()).isTrue();
				// The client gave its lease up: another owner takes it at once
				assertThat(store.acquireLease("scheduled-lease", "next-instance", Duration.ofSeconds(60))).isEmpty();
			});
	}

	/** An in-memory store that notes the threads its expiry and its leases run on. */
	static class ThreadRecordingStore extends InMemorySessionStore {

		final Set<String> expiryThreads = ConcurrentHashMap.newKeySet();

		final Set<String> leaseThreads = ConcurrentHashMap.newKeySet();

		final AtomicInteger expiryRuns = new AtomicInteger();

		@Override
		public int deleteSessionsIdleSince(Instant cutoff) {
			this.expiryThreads.add(Thread.currentThread().getName());
			this.expiryRuns.incrementAndGet();
			return super.deleteSessionsIdleSince(cutoff);
		}

		@Override
		public Optional<String> acquireLease(String clientId, String owner, Duration duration) {
			this.leaseThreads.add(Thread.currentThread().getName());
			return super.acquireLease(clientId, owner, duration);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class Scheduling {

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnScheduler {

		@Bean
		ThreadPoolTaskScheduler mqttSessionTaskScheduler() {
			ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
			scheduler.setThreadNamePrefix("own-");
			return scheduler;
		}

	}

}
