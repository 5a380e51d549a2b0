package io.github.mqttsession.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs the contract on a store that implements only {@code load}, {@code save} and {@code delete}, proving the
 * default bodies of the fine-grained operations.
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

	/** The smallest correct store: sessions are immutable records, so a map of them is enough. */
	static final class LoadSaveDeleteOnlyStore implements SessionStore {

		private final Map<String, MqttSession> sessions = new ConcurrentHashMap<>();

		@Override
		public Optional<MqttSession> load(String clientId) {
			return Optional.ofNullable(this.sessions.get(MqttNames.requireValidClientId(clientId)));
		}

		@Override
		public void save(String clientId, MqttSession session) {
			this.sessions.put(MqttNames.requireValidClientId(clientId), session);
		}

		@Override
		public void delete(String clientId) {
			this.sessions.remove(MqttNames.requireValidClientId(clientId));
		}

	}

}
