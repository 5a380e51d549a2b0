package io.github.mqttsession.store.memory;

import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreContractTests;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class InMemorySessionStoreContractTests extends SessionStoreContractTests {

	@Override
	protected SessionStore createStore() {
		return new InMemorySessionStore();
	}

	@Test
	void hasEveryOptionalFeature() {
		InMemorySessionStore store = new InMemorySessionStore();
		assertThat(store.feature(SessionListing.class)).containsSame(store);
		assertThat(store.feature(IdleSessionCleanup.class)).containsSame(store);
		assertThat(store.feature(SessionLeasing.class)).containsSame(store);
	}

}
