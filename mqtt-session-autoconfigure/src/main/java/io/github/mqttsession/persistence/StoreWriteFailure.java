package io.github.mqttsession.persistence;

import java.time.Instant;

/**
 * Writes of one client's session that failed, with no write of it succeeding since: what
 * the health check reports until the store takes the session's writes again.
 *
 * @param error the class and message of the latest failure
 * @param since when the first of these writes failed
 * @param last when the latest of them failed
 * @param failedWrites how many writes failed since
 */
public record StoreWriteFailure(String error, Instant since, Instant last, long failedWrites) {

	StoreWriteFailure followedBy(RuntimeException failure, Instant at) {
		return new StoreWriteFailure(describe(failure), this.since, at, this.failedWrites + 1);
	}

	static StoreWriteFailure first(RuntimeException failure, Instant at) {
		return new StoreWriteFailure(describe(failure), at, at, 1);
	}

	private static String describe(RuntimeException failure) {
		return failure.getClass().getName() + ": " + failure.getMessage();
	}

}
