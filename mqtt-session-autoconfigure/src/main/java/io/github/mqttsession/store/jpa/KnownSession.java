package io.github.mqttsession.store.jpa;

import java.lang.ref.WeakReference;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;
import org.jspecify.annotations.Nullable;

/**
 * What one thread last loaded or saved for a client id: the base of its next save. The
 * session itself is held weakly, as long as the caller holds it; once it is gone, the
 * next save reads the stored session instead and compares its keys with those remembered
 * here.
 *
 * @param version the session row's version then
 * @param keys a fingerprint of the session's topic filters, message keys and packet id
 * @param reference the session
 */
record KnownSession(long version, int keys, WeakReference<MqttSession> reference) {

	static KnownSession of(MqttSession session, long version) {
		return new KnownSession(version, keys(session), new WeakReference<>(session));
	}

	/**
	 * A fingerprint of which subscriptions and messages a session holds, in order, and of
	 * its packet id: a pass over short strings and ints, where a hash of every payload
	 * would cost as much as the save itself.
	 * @param session the session
	 * @return the fingerprint
	 */
	static int keys(MqttSession session) {
		int keys = session.packetId();
		for (Subscription subscription : session.subscriptions()) {
			keys = 31 * keys + subscription.topicFilter().hashCode();
		}
		for (PendingMessage message : session.pendingMessages()) {
			keys = 31 * keys + message.key().hashCode();
		}
		return keys;
	}

	/**
	 * The session, while its caller still holds it.
	 * @return the session; absent once collected
	 */
	@Nullable MqttSession session() {
		return this.reference.get();
	}

}
