package io.github.mqttsession.paho;

import io.github.mqttsession.store.PendingMessage;

/**
 * A key under which Paho persists a packet: a prefix that names the protocol state and the packet id, such as
 * {@code s-17} (an outbound publish), {@code sc-17} (its release), {@code r-17} (an inbound QoS 2 publish) or
 * {@code sb-17} (a publish buffered while offline).
 *
 * @param state the state the prefix names
 * @param packetId the packet id
 */
record PahoKey(PendingMessage.State state, int packetId) {

	/**
	 * Parses a key.
	 * @param key the key
	 * @return the parsed key
	 * @throws IllegalArgumentException for a key Paho does not use
	 */
	static PahoKey parse(String key) {
		int dash = key.indexOf('-');
		if (dash > 0) {
			PendingMessage.State state = switch (key.substring(0, dash)) {
				case "s" -> PendingMessage.State.OUTBOUND_PUBLISH;
				case "sc" -> PendingMessage.State.OUTBOUND_PUBREL;
				case "r" -> PendingMessage.State.INBOUND_PUBLISH;
				case "sb" -> PendingMessage.State.OFFLINE_BUFFERED;
				default -> null;
			};
			if (state != null) {
				try {
					return new PahoKey(state, Integer.parseInt(key.substring(dash + 1)));
				}
				catch (NumberFormatException ex) {
					// reported below
				}
			}
		}
		throw new IllegalArgumentException("'" + key + "' is not a key Paho persists under (s-, sc-, r- or sb- and a packet id)");
	}

	/**
	 * The key of a stored message.
	 * @param message the message
	 * @return its key
	 */
	static String of(PendingMessage message) {
		return of(message.state(), message.packetId());
	}

	/**
	 * The key of a state and packet id.
	 * @param state the state
	 * @param packetId the packet id
	 * @return the key
	 */
	static String of(PendingMessage.State state, int packetId) {
		String prefix = switch (state) {
			case OUTBOUND_PUBLISH -> "s-";
			case OUTBOUND_PUBREL -> "sc-";
			case INBOUND_PUBLISH -> "r-";
			case OFFLINE_BUFFERED -> "sb-";
		};
		return prefix + packetId;
	}

	@Override
	public String toString() {
		return of(this.state, this.packetId);
	}

}
