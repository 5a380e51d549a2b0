package io.github.mqttsession.benchmarks.publish;

import java.util.List;
import java.util.Optional;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStore;

/**
 * A store passed through, except that it asks not to have its writes gathered: the
 * persistence then writes each put and each remove on Paho's thread, in a transaction of
 * its own. The naive design, measured as step 0.
 */
final class OneCommitPerWriteStore implements SessionStore {

	private final SessionStore delegate;

	OneCommitPerWriteStore(SessionStore delegate) {
		this.delegate = delegate;
	}

	@Override
	public Optional<MqttSession> load(String clientId) {
		return this.delegate.load(clientId);
	}

	@Override
	public void save(String clientId, MqttSession session) {
		this.delegate.save(clientId, session);
	}

	@Override
	public void delete(String clientId) {
		this.delegate.delete(clientId);
	}

	@Override
	public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		this.delegate.applyPendingMessageChanges(clientId, changes);
	}

	@Override
	public void setPacketId(String clientId, int packetId) {
		this.delegate.setPacketId(clientId, packetId);
	}

	@Override
	public boolean gathersWrites() {
		return false;
	}

}
