package io.github.mqttsession.persistence;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Tells every one of several listeners what the persistence does, in their order. A
 * listener that throws is reported at WARN, once per listener and event, and neither the
 * listeners after it nor the write path that told it are held up: hearing about a write
 * must never be what fails it.
 */
public final class CompositeSessionPersistenceListener implements SessionPersistenceListener {

	private static final Log logger = LogFactory.getLog(CompositeSessionPersistenceListener.class);

	private final List<SessionPersistenceListener> listeners;

	/**
	 * Listener index and event already reported, so a listener failing on every message
	 * logs once.
	 */
	private final Set<String> reported = ConcurrentHashMap.newKeySet();

	/**
	 * A listener that tells each of the given ones, in the given order.
	 * @param listeners the listeners
	 */
	public CompositeSessionPersistenceListener(List<? extends SessionPersistenceListener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	/**
	 * The listener of the given ones: {@link SessionPersistenceListener#NONE} when there
	 * are none, else a composite of them, even of one, so that it cannot fail the write
	 * path.
	 * @param listeners the listeners, in the order they hear the events
	 * @return a listener of them all
	 */
	public static SessionPersistenceListener of(List<? extends SessionPersistenceListener> listeners) {
		return listeners.isEmpty() ? NONE : new CompositeSessionPersistenceListener(listeners);
	}

	@Override
	public void persisted(String clientId, PendingMessage message) {
		each("persisted", (listener) -> listener.persisted(clientId, message));
	}

	@Override
	public void removed(String clientId, PendingMessage.State state, int packetId) {
		each("removed", (listener) -> listener.removed(clientId, state, packetId));
	}

	@Override
	public void droppedByOverflow(String clientId, PendingMessage message) {
		each("droppedByOverflow", (listener) -> listener.droppedByOverflow(clientId, message));
	}

	@Override
	public void expired(String clientId, PendingMessage message) {
		each("expired", (listener) -> listener.expired(clientId, message));
	}

	@Override
	public void restored(String clientId, int pendingMessages) {
		each("restored", (listener) -> listener.restored(clientId, pendingMessages));
	}

	private void each(String event, Consumer<SessionPersistenceListener> call) {
		for (int i = 0; i < this.listeners.size(); i++) {
			SessionPersistenceListener listener = this.listeners.get(i);
			try {
				call.accept(listener);
			}
			catch (RuntimeException ex) {
				if (this.reported.add(i + ":" + event) && logger.isWarnEnabled()) {
					logger.warn("The session persistence listener " + listener.getClass().getName() + " failed on "
							+ event + "; the message is stored all the same and the other listeners are told."
							+ " Later failures of this listener on " + event + " are not logged.", ex);
				}
			}
		}
	}

}
