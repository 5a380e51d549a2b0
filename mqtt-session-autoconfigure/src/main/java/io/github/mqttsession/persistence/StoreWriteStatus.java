package io.github.mqttsession.persistence;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;

/**
 * Whether one client's writes reach the store: the failures since its last successful
 * write. The writer reports every write it applies here, on whichever thread applied it;
 * the health check reads it.
 */
final class StoreWriteStatus {

	private final AtomicReference<@Nullable StoreWriteFailure> failure = new AtomicReference<>();

	private final Clock clock;

	StoreWriteStatus(Clock clock) {
		this.clock = clock;
	}

	void succeeded() {
		this.failure.set(null);
	}

	void failed(RuntimeException ex) {
		Instant now = this.clock.instant();
		this.failure.updateAndGet(
				(previous) -> (previous != null) ? previous.followedBy(ex, now) : StoreWriteFailure.first(ex, now));
	}

	@Nullable StoreWriteFailure current() {
		return this.failure.get();
	}

}
