package io.github.mqttsession.store;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The smallest correct store: sessions are immutable records, so a map of them is enough.
 * Other tests run the starter on it as on an application's own store without optional
 * features.
 */
public final class LoadSaveDeleteOnlyStore implements SessionStore {

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
