package io.github.mqttsession.persistence;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.mqttsession.store.SessionStore;
import org.jspecify.annotations.Nullable;

import org.springframework.scheduling.TaskScheduler;

/**
 * Who may write a session: this process claims its client id (one persistence per client
 * id and store in the process), then this instance takes its lease (one instance among
 * those sharing the store); only then do the writes that wait for ownership run, such as
 * the configured topics. Both are given back together.
 */
final class SessionOwnership {

	private final SessionStore store;

	private final String clientId;

	private final SessionLeaseHolder lease;

	/**
	 * Writes that wait until this instance owns the session, run at every take once the
	 * lease is held.
	 */
	private final List<Runnable> ownedWrites = new CopyOnWriteArrayList<>();

	SessionOwnership(SessionStore store, String clientId, @Nullable SessionLease lease) {
		this.store = store;
		this.clientId = clientId;
		this.lease = new SessionLeaseHolder(store, clientId, lease);
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
