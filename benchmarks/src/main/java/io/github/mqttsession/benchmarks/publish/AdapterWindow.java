package io.github.mqttsession.benchmarks.publish;

import java.util.List;

/** The in-flight window: the default, or a wide one that is not a default. */
enum AdapterWindow {

	/** Nothing set: {@code mqtt.client.max-inflight} is 10 on MQTT 3.1.1. */
	DEFAULT(10, "", List.of()),

	/**
	 * Not a default: a window that never fills in these runs, and a cap on pending
	 * messages that does not reject the messages it lets in flight.
	 */
	WIDE(65_535, "-wide-window", List.of("mqtt.client.max-inflight=65535", "mqtt.session.max-pending-messages=65535"));

	final int size;

	final String idSuffix;

	final List<String> properties;

	AdapterWindow(int size, String idSuffix, List<String> properties) {
		this.size = size;
		this.idSuffix = idSuffix;
		this.properties = properties;
	}

}
