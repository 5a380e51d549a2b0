package io.github.mqttsession.persistence;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.github.mqttsession.store.SessionLeaseLostException;
import org.jspecify.annotations.Nullable;

/**
 * Whether one client's writes reach the store: the failures since its last successful
 * write. The writer reports every write it applies here, on whichever thread applied it;
 * the health check reads it. A write that failed because another instance took the
 * session's lease over is reported to the owner of the lease as well.
 */
final class StoreWriteStatus {

	private final AtomicReference<@Nullable StoreWriteFailure> failure = new AtomicReference<>();

	private final Clock clock;

	private volatile Consumer<SessionLeaseLostException> onLeaseLost = (loss) -> {
	};

	StoreWriteStatus(Clock clock) {
		this.clock = clock;
	}

	void onLeaseLost(Consumer<SessionLeaseLostException> listener) {
		this.onLeaseLost = listener;
	}

	void succeeded() {
		this.failure.set(null);
	}

	void failed(RuntimeException ex) {
		if (ex instanceof SessionLeaseLostException loss) {
			this.onLeaseLost.accept(loss);
		}
		Instant now = this.clock.instant();
		this.failure.updateAndGet(
				(previous) -> (previous != null) ? previous.followedBy(ex, now) : StoreWriteFailure.first(ex, now));
	}

	@Nullable StoreWriteFailure current() {
		return this.failure.get();
	}

}
