package io.github.mqttsession.persistence;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.store.SessionStore;

/**
 * The client ids claimed in this process, per store: two clients on one store and client
 * id would share one session, and the broker would disconnect them in turn. Internal:
 * public only so that the Paho persistences can claim their client id.
 */
public final class ClientIdClaims {

	private static final Map<Claim, Object> claimed = new ConcurrentHashMap<>();

	private ClientIdClaims() {
	}

	/**
	 * Claims a client id in a store for an owner; claiming it again for the same owner
	 * does nothing.
	 * @param store the store
	 * @param clientId the client id
	 * @param owner what claims it
	 * @throws IllegalStateException when another owner holds the claim
	 */
	public static void claim(SessionStore store, String clientId, Object owner) {
		Object holder = claimed.putIfAbsent(new Claim(store, clientId), owner);
		if (holder != null && holder != owner) {
			throw new IllegalStateException("Client id '" + clientId
					+ "' is already in use by another MQTT client in this process; two clients with one id make the"
					+ " broker disconnect them in turn, so give each client its own client id");
		}
	}

	/**
	 * Gives a client id back, if the owner holds it.
	 * @param store the store
	 * @param clientId the client id
	 * @param owner what claimed it
	 */
	public static void release(SessionStore store, String clientId, Object owner) {
		claimed.remove(new Claim(store, clientId), owner);
	}

	/** A client id in a store; stores compare by identity. */
	private record Claim(SessionStore store, String clientId) {
	}

}
