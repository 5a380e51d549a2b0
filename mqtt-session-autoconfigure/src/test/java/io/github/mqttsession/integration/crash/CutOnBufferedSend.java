package io.github.mqttsession.integration.crash;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.TcpProxy;
import org.awaitility.core.ConditionTimeoutException;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;

import static org.awaitility.Awaitility.await;

/**
 * Cuts the connection at the moment Paho has stored a message of its offline buffer for
 * sending, and before it registers the message's delivery token: the window in which a
 * connection loss makes Paho undo the send.
 * <p>
 * The listener is told of the stored packet inside Paho's {@code ClientState.send}, so it
 * cuts the proxy there and waits until the client's token store has been closed by the
 * connection's shutdown; the token registration that follows then fails as it does when a
 * real network drops during the store's write. Whether the store was closed is read from
 * Paho 1.2.5's fields, as nothing public tells.
 */
final class CutOnBufferedSend implements SessionPersistenceListener {

	private static final Duration SHUTDOWN = Duration.ofSeconds(5);

	private final TcpProxy proxy;

	private final Set<Integer> bufferedPacketIds = ConcurrentHashMap.newKeySet();

	private final AtomicBoolean fired = new AtomicBoolean();

	private volatile IMqttAsyncClient client;

	private volatile int cutPacketId;

	private volatile boolean sendUndone;

	CutOnBufferedSend(TcpProxy proxy) {
		this.proxy = proxy;
	}

	/**
	 * Cuts the connection the next time a buffered message is stored for sending.
	 * @param client the client whose shutdown to wait for
	 */
	void arm(IMqttAsyncClient client) {
		this.client = client;
	}

	/**
	 * Whether the cut came while a buffered message was being sent, and Paho undid that
	 * send.
	 * @return {@code true} once it has
	 */
	boolean sendUndone() {
		return this.sendUndone;
	}

	/**
	 * The packet id the interrupted message had been buffered under.
	 * @return the packet id, 0 before the cut
	 */
	int cutPacketId() {
		return this.cutPacketId;
	}

	@Override
	public void persisted(String clientId, PendingMessage message) {
		if (message.state() == PendingMessage.State.OFFLINE_BUFFERED) {
			this.bufferedPacketIds.add(message.packetId());
		}
		else if (message.state() == PendingMessage.State.OUTBOUND_PUBLISH && this.client != null
				&& this.bufferedPacketIds.contains(message.packetId()) && this.fired.compareAndSet(false, true)) {
			this.cutPacketId = message.packetId();
			this.proxy.cut();
			try {
				await().atMost(SHUTDOWN).until(this::tokenStoreClosed);
			}
			catch (ConditionTimeoutException ex) {
				// Then Paho does not undo the send, and the test reports that its
				// precondition was not met
			}
		}
	}

	@Override
	public void removed(String clientId, PendingMessage.State state, int packetId) {
		// No broker acknowledgement can arrive on a cut connection: this removal is
		// Paho's undo of the send
		if (state == PendingMessage.State.OUTBOUND_PUBLISH && packetId == this.cutPacketId) {
			this.sendUndone = true;
		}
	}

	private boolean tokenStoreClosed() throws ReflectiveOperationException {
		Object comms = field(this.client, "comms");
		Object tokenStore = field(comms, "tokenStore");
		return field(tokenStore, "closedResponse") != null;
	}

	private static Object field(Object target, String name) throws ReflectiveOperationException {
		for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
			try {
				Field field = type.getDeclaredField(name);
				field.setAccessible(true);
				return field.get(target);
			}
			catch (NoSuchFieldException ex) {
				// look further up
			}
		}
		throw new NoSuchFieldException(name);
	}

}
