package io.github.mqttsession.integration;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Lets a Paho client carry on with the packet ids of its stored session after a restart.
 * Paho derives its next packet id only from the messages it restores, and starts again at
 * 1 when there are none; it offers no setter, so this sets the field Paho 1.2.5 keeps it
 * in. If a Paho version has no such field, packet ids simply start again at 1, which MQTT
 * allows: ids only need to be unique among messages in flight.
 */
final class PahoPacketIds {

	private static final Log logger = LogFactory.getLog(PahoPacketIds.class);

	private PahoPacketIds() {
	}

	/**
	 * Makes the client's next packet id follow {@code lastUsed}, unless Paho already
	 * restored a later one.
	 * @param client a {@code MqttAsyncClient} of MQTT 3.1.1 or 5
	 * @param lastUsed the last packet id the stored session used
	 */
	static void continueAfter(Object client, int lastUsed) {
		if (lastUsed <= 0) {
			return;
		}
		try {
			Field comms = findField(client.getClass(), "comms");
			Object clientComms = comms.get(client);
			Method getClientState = clientComms.getClass().getMethod("getClientState");
			Object clientState = getClientState.invoke(clientComms);
			Field nextMsgId = findField(clientState.getClass(), "nextMsgId");
			synchronized (clientState) {
				if (nextMsgId.getInt(clientState) < lastUsed) {
					nextMsgId.setInt(clientState, lastUsed);
				}
			}
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			logger.debug("Could not carry on the stored packet id " + lastUsed + "; packet ids start again at 1", ex);
		}
	}

	private static Field findField(Class<?> type, String name) throws NoSuchFieldException {
		for (Class<?> candidate = type; candidate != null; candidate = candidate.getSuperclass()) {
			try {
				Field field = candidate.getDeclaredField(name);
				field.setAccessible(true);
				return field;
			}
			catch (NoSuchFieldException ex) {
				// look further up
			}
		}
		throw new NoSuchFieldException(name);
	}

}
