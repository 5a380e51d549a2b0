package io.github.mqttsession.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the contract on a store that implements only {@code load}, {@code save} and
 * {@code delete}, proving the default bodies of the fine-grained operations.
 */
class LoadSaveDeleteOnlySessionStoreContractTests extends SessionStoreContractTests {

	@Override
	protected SessionStore createStore() {
		return new LoadSaveDeleteOnlyStore();
	}

	@Override
	protected boolean supportsConcurrentWriters() {
		return false;
	}

	@Test
	void hasNoOptionalFeature() {
		SessionStore store = createStore();
		assertThat(store.feature(SessionListing.class)).isEmpty();
		assertThat(store.feature(IdleSessionCleanup.class)).isEmpty();
		assertThat(store.feature(SessionLeasing.class)).isEmpty();
	}

}
