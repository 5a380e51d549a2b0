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
					return new PendingMessage.Key(state, Integer.parseInt(key.substring(dash + 1)));
				}
				catch (NumberFormatException ex) {
					// reported below
				}
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
		};
		return prefix + key.packetId();
	}

}
