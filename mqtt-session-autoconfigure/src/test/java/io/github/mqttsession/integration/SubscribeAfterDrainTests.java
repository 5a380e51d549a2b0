package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The subscribe on connect waits, off the calling thread, for Paho's offline buffer to be sent. */
class SubscribeAfterDrainTests {

	@Test
	void subscribesAtOnceWhenNothingIsBuffered() {
		AtomicReference<Thread> subscribedOn = new AtomicReference<>();
		SubscribeAfterDrain.run("c", () -> 0, () -> true, () -> subscribedOn.set(Thread.currentThread()));
		assertThat(subscribedOn.get()).isSameAs(Thread.currentThread());
	}

	@Test
	void doesNotSubscribeWhenTheClientIsNoLongerConnected() {
		// An application stopped right after its client connected: the SUBSCRIBE would go to Paho's offline buffer
		AtomicBoolean subscribed = new AtomicBoolean();
		SubscribeAfterDrain.run("stopped", () -> 0, () -> false, () -> subscribed.set(true));
		assertThat(subscribed).isFalse();
	}

	@Test
	void subscribesFromAnotherThreadOnceTheBufferIsEmpty() {
		AtomicInteger buffered = new AtomicInteger(3);
		AtomicReference<Thread> subscribedOn = new AtomicReference<>();
		AtomicInteger bufferedWhenSubscribed = new AtomicInteger(-1);
		SubscribeAfterDrain.run("c", buffered::get, () -> true, () -> {
			bufferedWhenSubscribed.set(buffered.get());
			subscribedOn.set(Thread.currentThread());
		});
		assertThat(subscribedOn.get()).isNull();
		buffered.set(1);
		assertThat(subscribedOn.get()).isNull();
		buffered.set(0);
		await().atMost(Duration.ofSeconds(10)).until(() -> subscribedOn.get() != null);
		assertThat(subscribedOn.get()).isNotSameAs(Thread.currentThread());
		assertThat(subscribedOn.get().getName()).isEqualTo("mqtt-session-subscribe-c");
		assertThat(bufferedWhenSubscribed.get()).isZero();
	}

	@Test
	void givesUpWhenTheConnectionIsLostMeanwhile() throws Exception {
		AtomicBoolean connected = new AtomicBoolean(true);
		AtomicBoolean subscribed = new AtomicBoolean();
		SubscribeAfterDrain.run("lost", () -> 5, connected::get, () -> subscribed.set(true));
		connected.set(false);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Thread.getAllStackTraces().keySet().stream()
				.noneMatch((thread) -> thread.getName().equals("mqtt-session-subscribe-lost")));
		assertThat(subscribed).isFalse();
	}

}
