package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The subscribe on connect waits, on the session's scheduler, for Paho's offline buffer
 * to be sent.
 */
class SubscribeAfterDrainTests {

	private final ThreadPoolTaskScheduler scheduler = scheduler();

	@AfterEach
	void stopScheduler() {
		this.scheduler.destroy();
	}

	@Test
	void subscribesAtOnceWhenNothingIsBuffered() {
		AtomicReference<Thread> subscribedOn = new AtomicReference<>();
		SubscribeAfterDrain.run(this.scheduler, "c", () -> 0, () -> true,
				() -> subscribedOn.set(Thread.currentThread()));
		assertThat(subscribedOn.get()).isSameAs(Thread.currentThread());
	}

	@Test
	void doesNotSubscribeWhenTheClientIsNoLongerConnected() {
		// An application stopped right after its client connected: the SUBSCRIBE would go
		// to Paho's offline buffer
		AtomicBoolean subscribed = new AtomicBoolean();
		SubscribeAfterDrain.run(this.scheduler, "stopped", () -> 0, () -> false, () -> subscribed.set(true));
		assertThat(subscribed).isFalse();
	}

	@Test
	void subscribesOnTheSchedulerOnceTheBufferIsEmpty() {
		AtomicInteger buffered = new AtomicInteger(3);
		AtomicReference<Thread> subscribedOn = new AtomicReference<>();
		AtomicInteger bufferedWhenSubscribed = new AtomicInteger(-1);
		SubscribeAfterDrain.run(this.scheduler, "c", buffered::get, () -> true, () -> {
			bufferedWhenSubscribed.set(buffered.get());
			subscribedOn.set(Thread.currentThread());
		});
		assertThat(subscribedOn.get()).isNull();
		buffered.set(1);
		assertThat(subscribedOn.get()).isNull();
		buffered.set(0);
		await().atMost(Duration.ofSeconds(10)).until(() -> subscribedOn.get() != null);
		assertThat(subscribedOn.get()).isNotSameAs(Thread.currentThread());
		assertThat(subscribedOn.get().getName()).startsWith("mqtt-session-test-");
		assertThat(bufferedWhenSubscribed.get()).isZero();
	}

	@Test
	void givesUpWhenTheConnectionIsLostMeanwhile() throws Exception {
		AtomicBoolean connected = new AtomicBoolean(true);
		AtomicBoolean subscribed = new AtomicBoolean();
		SubscribeAfterDrain.run(this.scheduler, "lost", () -> 5, connected::get, () -> subscribed.set(true));
		connected.set(false);
		// Nothing stays scheduled: the buffer is no longer looked at
		await().during(Duration.ofMillis(200))
			.atMost(Duration.ofSeconds(10))
			.until(() -> this.scheduler.getScheduledThreadPoolExecutor().getQueue().isEmpty()
					&& this.scheduler.getActiveCount() == 0);
		assertThat(subscribed).isFalse();
	}

	private static ThreadPoolTaskScheduler scheduler() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("mqtt-session-test-");
		scheduler.initialize();
		return scheduler;
	}

}
