package io.github.mqttsession.persistence;

import io.github.mqttsession.store.SessionStore;

/**
 * The session's packet id: the last one the stored session had used when it was loaded,
 * and the last one used since. Paho carries on from the restored id; the last one used is
 * saved when Paho closes the persistence, so that a restarted client does not hand out an
 * id the broker may still hold.
 */
final class PacketIds {

	private volatile int restored;

	private volatile int last;

	/**
	 * Starts from a loaded session's packet id (0 for a new or deleted session).
	 * @param packetId the packet id
	 */
	void restored(int packetId) {
		this.restored = packetId;
		this.last = packetId;
	}

	/**
	 * The packet id the loaded session had used last.
	 * @return the packet id, 0 when none
	 */
	int restored() {
		return this.restored;
	}

	/**
	 * Records a packet id Paho used for a publish.
	 * @param packetId the packet id
	 */
	void used(int packetId) {
		this.last = packetId;
	}

	/**
	 * Saves the last packet id used when it differs from the stored one.
	 * @param store the store
	 * @param clientId the client id
	 */
	void saveIfChanged(SessionStore store, String clientId) {
		int packetId = this.last;
		if (packetId != this.restored) {
			store.setPacketId(clientId, packetId);
			this.restored = packetId;
		}
	}

}
