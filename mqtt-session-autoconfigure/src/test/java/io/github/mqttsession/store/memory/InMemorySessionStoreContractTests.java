package io.github.mqttsession.store.memory;

import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreContractTests;

class InMemorySessionStoreContractTests extends SessionStoreContractTests {

	@Override
	protected SessionStore createStore() {
		return new InMemorySessionStore();
	}

}
