package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.mqttsession.store.SessionLeaseLostException;
import org.jspecify.annotations.Nullable;

/**
 * The leases this store took, by client id, and the fence they put on every write of
 * their sessions: the write's transaction first locks the session row and checks that the
 * lease's generation is still the one taken. A takeover counts the generation up, and
 * waits for the row lock of a write under way, so that from the takeover's commit on, a
 * write of the previous owner (paused past its lease, say) fails instead of changing the
 * session under its new owner.
 */
final class SessionFences {

	private final SessionStoreStatements statements;

	private final Map<String, Fence> fences = new ConcurrentHashMap<>();

	SessionFences(SessionStoreStatements statements) {
		this.statements = statements;
	}

	/**
	 * Fences the writes of a session on the lease an owner took.
	 * @param clientId the client id
	 * @param owner the owner of the lease
	 * @param generation the lease's generation
	 * @param duration the lease's duration
	 */
	void taken(String clientId, String owner, long generation, Duration duration) {
		this.fences.put(clientId, new Fence(owner, generation, idleTimeout(duration)));
	}

	/**
	 * The fence of a session's writes.
	 * @param clientId the client id
	 * @return the fence; absent when this store holds no lease on the session
	 */
	@Nullable Fence get(String clientId) {
		return this.fences.get(clientId);
	}

	/**
	 * Stops fencing the writes of a session, when the owner that gives its lease up is
	 * the one that took it.
	 * @param clientId the client id
	 * @param owner the owner giving the lease up
	 * @return whether the owner deleted the session last, so that its row is to go with
	 * the lease
	 */
	boolean released(String clientId, String owner) {
		Fence fence = this.fences.get(clientId);
		if (fence == null || !fence.owner().equals(owner)) {
			return false;
		}
		this.fences.remove(clientId, fence);
		return fence.emptied;
	}

	/**
	 * Records that the owner deleted its leased session, which keeps its row for the
	 * lease: the row goes when the lease is given up, unless something is written first.
	 * @param clientId the client id
	 */
	void emptied(String clientId) {
		Fence fence = this.fences.get(clientId);
		if (fence != null) {
			fence.emptied = true;
		}
	}

	/**
	 * Runs the fence of a session's write as the first statement of its transaction, when
	 * this store holds a lease on the session.
	 * @param connection the write's connection, in its transaction
	 * @param clientId the client id
	 * @throws SessionLeaseLostException when another owner took the lease since, or the
	 * session was deleted
	 */
	void check(Connection connection, String clientId) throws SQLException {
		check(connection, clientId, this.statements.fence, this.statements.fenceSetsTimeout);
	}

	/**
	 * Runs the fence in the application's own transaction that wrote the session, just
	 * before it commits, when this store holds a lease on the session: the same check,
	 * without the idle timeout that the store's own transactions set on PostgreSQL, which
	 * would end the application's transaction.
	 * @param connection the application's connection, in its transaction
	 * @param clientId the client id
	 * @throws SessionLeaseLostException when another owner took the lease since, or the
	 * session was deleted
	 */
	void checkInApplicationTransaction(Connection connection, String clientId) throws SQLException {
		check(connection, clientId, this.statements.fenceWithoutTimeout, false);
	}

	private void check(Connection connection, String clientId, String sql, boolean setsTimeout) throws SQLException {
		Fence fence = this.fences.get(clientId);
		if (fence == null) {
			return;
		}
		fence.emptied = false;
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			int index = 1;
			if (setsTimeout) {
				statement.setString(index++, Long.toString(fence.idleTimeoutMillis()));
			}
			statement.setString(index, clientId);
			try (ResultSet row = statement.executeQuery()) {
				if (!row.next()) {
					throw new SessionLeaseLostException(clientId, fence.owner(), (String) null);
				}
				if (row.getLong(1) != fence.generation()) {
					throw new SessionLeaseLostException(clientId, fence.owner(), row.getString(2));
				}
			}
		}
	}

	/**
	 * How long a fenced transaction may stay idle before PostgreSQL ends it: half the
	 * lease, so that a writer stopped inside one lets go of the session row before its
	 * lease runs out and another owner may take it; a second at least, since a writer
	 * never idles that long inside a transaction of its own.
	 */
	static long idleTimeout(Duration duration) {
		return Math.max(1000, duration.toMillis() / 2);
	}

	/** A lease taken by this store. */
	static final class Fence {

		private final String owner;

		private final long generation;

		private final long idleTimeoutMillis;

		/** Whether the owner's last write deleted the session. */
		private volatile boolean emptied;

		Fence(String owner, long generation, long idleTimeoutMillis) {
			this.owner = owner;
			this.generation = generation;
			this.idleTimeoutMillis = idleTimeoutMillis;
		}

		String owner() {
			return this.owner;
		}

		long generation() {
			return this.generation;
		}

		long idleTimeoutMillis() {
			return this.idleTimeoutMillis;
		}

	}

}
