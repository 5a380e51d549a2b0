package io.github.mqttsession.persistence;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The in-flight window publishers wait at, without a broker: what lets a publish through,
 * and when it fails.
 */
class SendWindowTests {

	private final AtomicBoolean connected = new AtomicBoolean(true);

	private final SendWindow window = new SendWindow("window-client",
			(ex) -> ex instanceof IllegalStateException && "full".equals(ex.getMessage()));

	SendWindowTests() {
		this.window.setSize(2, "mqtt.client.max-inflight");
		this.window.setConnected(this.connected::get);
	}

	@Test
	void aPublishWaitsUntilAnAcknowledgementMakesRoom() {
		storeOne();
		storeOne();
		CompletableFuture<Void> third = CompletableFuture.runAsync(this::storeOne);
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
		this.window.removed();
		third.orTimeout(5, TimeUnit.SECONDS).join();
	}

	@Test
	void aPublishWaitsNoLongerOnceTheConnectionIsLost() {
		storeOne();
		storeOne();
		CompletableFuture<Void> third = CompletableFuture.runAsync(() -> send(() -> null));
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
		this.connected.set(false);
		third.orTimeout(5, TimeUnit.SECONDS).join();
	}

	@Test
	void aPublishFailsAfterTheTimeoutNamingTheWindowAndStoresNothing() {
		this.window.setTimeout(Duration.ofMillis(300));
		storeOne();
		storeOne();
		AtomicInteger published = new AtomicInteger();
		assertThatExceptionOfType(PublishTimeoutException.class).isThrownBy(() -> send(published::incrementAndGet))
			.withMessageContaining("Client 'window-client' could not publish within")
			.withMessageContaining("in-flight window of 2 messages (mqtt.client.max-inflight)")
			.withMessageContaining("mqtt.outbound.send-timeout (now PT0.3S)");
		assertThat(published).hasValue(0);
	}

	@Test
	void aRefusalForAFullWindowIsTriedAgainUntilPahoTakesThePublish() {
		AtomicInteger attempts = new AtomicInteger();
		Integer result = send(() -> {
			if (attempts.incrementAndGet() < 4) {
				throw new RuntimeException("wrapped", new IllegalStateException("full"));
			}
			return 42;
		});
		assertThat(result).isEqualTo(42);
		assertThat(attempts).hasValue(4);
	}

	@Test
	void anotherFailureIsNotTriedAgain() {
		AtomicInteger attempts = new AtomicInteger();
		assertThatExceptionOfType(IllegalArgumentException.class).isThrownBy(() -> send(() -> {
			attempts.incrementAndGet();
			throw new IllegalArgumentException("bad topic");
		}));
		assertThat(attempts).hasValue(1);
	}

	@Test
	void theCallbackThreadNeverWaitsAndFailsAtOnceWhenPahoRefuses() throws Exception {
		storeOne();
		storeOne();
		CompletableFuture<Throwable> failure = new CompletableFuture<>();
		Thread callback = new Thread(() -> {
			SendWindow.markCallbackThread();
			try {
				send(() -> {
					throw new IllegalStateException("full");
				});
				failure.complete(null);
			}
			catch (Throwable ex) {
				failure.complete(ex);
			}
		});
		callback.start();
		assertThat(failure.get(2, TimeUnit.SECONDS)).isInstanceOf(PublishTimeoutException.class)
			.hasMessageContaining("from the thread that delivers arriving messages")
			.hasMessageContaining("ExecutorChannel");
	}

	@Test
	void aPublishPassesOnceTheWindowGrows() {
		storeOne();
		storeOne();
		CompletableFuture<Void> third = CompletableFuture.runAsync(this::storeOne);
		await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
		this.window.setSize(3, "the Receive Maximum the broker sent");
		third.orTimeout(5, TimeUnit.SECONDS).join();
	}

	/**
	 * A publish that Paho takes and stores as an outbound publish, as a QoS 1 publish
	 * while connected is.
	 */
	private void storeOne() {
		send(() -> {
			this.window.added();
			return null;
		});
	}

	private <T> T send(DurablePublish<T, RuntimeException> publish) {
		return this.window.send(publish);
	}

}
