package io.github.mqttsession.persistence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * Who may write a session: this process claims its client id (one persistence per client
 * id and store in the process), then this instance takes its lease (one instance among
 * those sharing the store); only then do the writes that wait for ownership run, such as
 * the configured topics. Both are given back together.
 * <p>
 * Should the lease be lost while the session is open (a renewal or a fenced write finds
 * another owner, or renewals failed for longer than the lease lasts), the loss is logged
 * once, every publish fails with it from then on, and the listeners hear of it, such as
 * the client manager, which disconnects the client; the next take, when the client is
 * started again, takes the session back as configured.
 */
final class SessionOwnership {

	private static final Log logger = LogFactory.getLog(SessionOwnership.class);

	private final SessionStore store;

	private final String clientId;

	private final SessionLeaseHolder lease;

	/**
	 * Writes that wait until this instance owns the session, run at every take once the
	 * lease is held.
	 */
	private final List<Runnable> ownedWrites = new CopyOnWriteArrayList<>();

	private final List<Consumer<SessionLeaseLostException>> lossListeners = new CopyOnWriteArrayList<>();

	/** The loss of the lease since the last take; absent while it is held. */
	private volatile @Nullable SessionLeaseLostException lost;

	SessionOwnership(SessionStore store, String clientId, @Nullable SessionLease lease) {
		this.store = store;
		this.clientId = clientId;
		this.lease = new SessionLeaseHolder(store, clientId, lease, this::lost);
	}

	/**
	 * Adds a listener that hears when this instance loses the lease on the open session.
	 * @param listener the listener, told on the thread that found the loss
	 */
	void onLost(Consumer<SessionLeaseLostException> listener) {
		this.lossListeners.add(listener);
	}

	/**
	 * Reports the loss of the lease, the first time it is found since the last take.
	 * @param loss how it was found
	 */
	void lost(SessionLeaseLostException loss) {
		synchronized (this.lossListeners) {
			if (this.lost != null) {
				return;
			}
			this.lost = loss;
		}
		if (loss.isTakenOver()) {
			logger.error(loss.getMessage() + ". Publishes fail from now on and the client disconnects; starting the"
					+ " client again takes the session back once no other instance holds its lease (or waits for that"
					+ " with mqtt.session.lease.wait-for-takeover=true)");
		}
		else {
			logger.warn(loss.getMessage() + ". The client disconnects, and opens the session again once the store"
					+ " confirms that no other instance took it over");
		}
		this.lossListeners.forEach((listener) -> listener.accept(loss));
	}

	/**
	 * Renews the lease now, if one is held, and reports its loss to the listeners.
	 */
	void confirmLease() {
		this.lease.confirm();
	}

	/**
	 * Whether the lease on the session, if one is held, was not lost since the last take.
	 * @return {@code false} once it was lost
	 */
	boolean holdsLease() {
		return this.lost == null;
	}

	/**
	 * Fails when the lease on the session was lost since the last take.
	 * @throws SessionLeaseLostException when it was
	 */
	void requireLease() {
		SessionLeaseLostException loss = this.lost;
		if (loss != null) {
			throw new SessionLeaseLostException(this.clientId, loss.getMessage(), loss);
		}
	}

	void setTaskScheduler(TaskScheduler taskScheduler) {
		this.lease.setTaskScheduler(taskScheduler);
	}

	/**
	 * Adds a write that waits for ownership, and runs it at once when the session is
	 * owned already.
	 * @param write the write
	 * @param owned whether the session is owned now
	 */
	void whenOwned(Runnable write, boolean owned) {
		this.ownedWrites.add(write);
		if (owned) {
			write.run();
		}
	}

	/**
	 * Claims the client id, takes the lease and runs the writes that waited for them;
	 * gives both back when any of it fails.
	 * @param claimant the persistence that claims the client id
	 */
	void take(Object claimant) {
		ClientIdClaims.claim(this.store, this.clientId, claimant);
		try {
			this.lease.take();
			synchronized (this.lossListeners) {
				this.lost = null;
			}
			this.ownedWrites.forEach(Runnable::run);
		}
		catch (RuntimeException ex) {
			release(claimant);
			throw ex;
		}
	}

	/**
	 * Gives the lease and the client id back.
	 * @param claimant the persistence that claimed the client id
	 */
	void release(Object claimant) {
		try {
			this.lease.release();
		}
		finally {
			ClientIdClaims.release(this.store, this.clientId, claimant);
		}
	}

}
