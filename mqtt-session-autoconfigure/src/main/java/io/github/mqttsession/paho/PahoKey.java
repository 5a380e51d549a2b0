package io.github.mqttsession.paho;

import io.github.mqttsession.store.PendingMessage;

/**
 * The keys under which Paho persists packets, and the {@linkplain PendingMessage.Key
 * pending messages} they name: a prefix that names the protocol state and the packet id,
 * such as {@code s-17} (an outbound publish), {@code sc-17} (its release), {@code r-17}
 * (an inbound QoS 2 publish) or {@code sb-17} (a publish buffered while offline).
 */
final class PahoKey {

	private PahoKey() {
	}

	/**
	 * Parses a key.
	 * @param key the key
	 * @return the pending message's key
	 * @throws IllegalArgumentException for a key Paho does not use
	 */
	static PendingMessage.Key parse(String key) {
		// Paho asks for two keys on every put and acknowledgement: read in place, without
		// the substrings a split would allocate
		int dash = key.indexOf('-');
		PendingMessage.State state = switch (dash) {
			case 1 -> (key.charAt(0) == 's') ? PendingMessage.State.OUTBOUND_PUBLISH
					: (key.charAt(0) == 'r') ? PendingMessage.State.INBOUND_PUBLISH : null;
			case 2 -> (key.charAt(0) != 's') ? null : (key.charAt(1) == 'c') ? PendingMessage.State.OUTBOUND_PUBREL
					: (key.charAt(1) == 'b') ? PendingMessage.State.OFFLINE_BUFFERED : null;
			default -> null;
		};
		if (state != null) {
			try {
				return new PendingMessage.Key(state, Integer.parseInt(key, dash + 1, key.length(), 10));
			}
			catch (NumberFormatException ex) {
				// reported below
			}
		}
		throw new IllegalArgumentException(
				"'" + key + "' is not a key Paho persists under (s-, sc-, r- or sb- and a packet id)");
	}

	/**
	 * Paho's key of a pending message.
	 * @param key the pending message's key
	 * @return Paho's key
	 */
	static String of(PendingMessage.Key key) {
		String prefix = switch (key.state()) {
			case OUTBOUND_PUBLISH -> "s-";
			case OUTBOUND_PUBREL -> "sc-";
			case INBOUND_PUBLISH -> "r-";
			case OFFLINE_BUFFERED -> "sb-";
			case TRANSACTIONAL_OUTBOX, INBOUND_HANDLED, INBOUND_RELEASED ->
				throw new IllegalArgumentException("A " + key.state() + " record is not Paho's: " + key);
		};
		return prefix + key.packetId();
	}

}
