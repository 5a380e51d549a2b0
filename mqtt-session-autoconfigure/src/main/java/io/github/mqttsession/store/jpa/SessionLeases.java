package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.github.mqttsession.store.SessionLeaseLostException;
import io.github.mqttsession.store.SessionStoreException;
import org.jspecify.annotations.Nullable;

/**
 * The lease a running client holds on its session row, so that a second instance with the
 * same client id finds it taken: taken in one transaction that creates the row when
 * missing, given up by its owner only. A lease's end is reckoned on the database's clock,
 * which every instance shares, not on the clock of the instance taking it. Every change
 * of owner counts the lease's generation up, on which the writes of the session are
 * fenced ({@link SessionFences}).
 */
final class SessionLeases {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	private final SessionFences fences;

	SessionLeases(JdbcTransactions transactions, SessionStoreStatements statements, SessionFences fences) {
		this.transactions = transactions;
		this.statements = statements;
		this.fences = fences;
	}

	/**
	 * Takes or renews the lease on a session, creating its row when missing, and fences
	 * the session's writes on it. On PostgreSQL a takeover waits at most the lease's
	 * duration for a write of the previous owner to end (a stopped writer's transaction
	 * ends sooner: {@link SessionFences}); should it wait longer, the lease counts as
	 * held by that owner.
	 * @param clientId the client id
	 * @param owner who takes the lease
	 * @param duration how long from now, on the database's clock, the lease lasts
	 * @param now the current time on the store's clock, stamped on a session row this
	 * creates
	 * @return empty when the lease was taken, else the owner who holds it
	 * @throws SessionStoreException when the database fails
	 */
	Optional<String> acquire(String clientId, String owner, Duration duration, Instant now) {
		try {
			return this.transactions.writeUnfenced(clientId, () -> "take the lease for " + owner,
					(connection) -> take(connection, clientId, owner, duration, now));
		}
		catch (SessionStoreException ex) {
			if (!lockNotAvailable(ex)) {
				throw ex;
			}
			Lease held = read(clientId);
			return Optional.of((held != null && held.owner() != null) ? held.owner() : "unknown");
		}
	}

	private Optional<String> take(Connection connection, String clientId, String owner, Duration duration, Instant now)
			throws SQLException {
		limitWaits(connection, duration);
		RowBinding.insertSessionIfAbsent(connection, this.statements, clientId, now);
		int taken = RowBinding.update(connection, this.statements.takeLease, (statement) -> {
			statement.setString(1, owner);
			statement.setString(2, owner);
			statement.setLong(3, duration.toMillis());
			statement.setString(4, clientId);
			statement.setString(5, owner);
		});
		Lease lease = select(connection, clientId);
		if (lease == null) {
			throw new IllegalStateException("Another writer deleted the session meanwhile");
		}
		if (taken != 1) {
			return Optional.of(lease.owner());
		}
		this.fences.taken(clientId, owner, lease.generation(), duration);
		return Optional.empty();
	}

	/**
	 * Renews a lease the owner has held without a break since this store took it.
	 * @param clientId the client id
	 * @param owner who holds the lease
	 * @param duration how long from now, on the database's clock, the lease lasts
	 * @param now the current time on the store's clock, stamped on a session row a
	 * renewal of a lease this store did not take creates
	 * @throws SessionLeaseLostException when another owner held it since
	 * @throws SessionStoreException when the database fails
	 */
	void renew(String clientId, String owner, Duration duration, Instant now) {
		SessionFences.Fence fence = this.fences.get(clientId);
		if (fence == null || !fence.owner().equals(owner)) {
			// Not taken through this store: taken again, as a store without fences would
			Optional<String> other = acquire(clientId, owner, duration, now);
			if (other.isPresent()) {
				throw new SessionLeaseLostException(clientId, owner, other.get());
			}
			return;
		}
		String holder = this.transactions.writeUnfenced(clientId, () -> "renew the lease of " + owner, (connection) -> {
			limitWaits(connection, duration);
			int renewed = RowBinding.update(connection, this.statements.renewLease, (statement) -> {
				statement.setLong(1, duration.toMillis());
				statement.setString(2, clientId);
				statement.setString(3, owner);
				statement.setLong(4, fence.generation());
			});
			if (renewed == 1) {
				return owner;
			}
			Lease lease = select(connection, clientId);
			return (lease != null) ? lease.owner() : null;
		});
		if (!owner.equals(holder)) {
			throw new SessionLeaseLostException(clientId, owner, holder);
		}
	}

	/**
	 * Gives up a lease, if the owner still holds it, and stops fencing the session's
	 * writes on it; a session the owner deleted last goes with it.
	 * @param clientId the client id
	 * @param owner who held the lease
	 * @throws SessionStoreException when the database fails
	 */
	void release(String clientId, String owner) {
		boolean emptied = this.fences.released(clientId, owner);
		this.transactions.writeUnfenced(clientId, () -> "give up the lease of " + owner,
				(connection) -> RowBinding.update(connection,
						emptied ? this.statements.deleteLeasedSession : this.statements.releaseLease, (statement) -> {
							statement.setString(1, clientId);
							statement.setString(2, owner);
						}));
	}

	/**
	 * Bounds the waits of a lease's transaction on PostgreSQL: for a write under way, the
	 * lease's duration; idle inside it, should this process stop there, half of it
	 * ({@link SessionFences}), so that a frozen renewal keeps no takeover waiting either.
	 */
	private void limitWaits(Connection connection, Duration duration) throws SQLException {
		if (!this.statements.leaseSetsTimeouts) {
			return;
		}
		try (PreparedStatement statement = connection
			.prepareStatement(SessionStoreStatements.POSTGRES_LEASE_TIMEOUTS)) {
			statement.setString(1, Long.toString(duration.toMillis()));
			statement.setString(2, Long.toString(SessionFences.idleTimeout(duration)));
			statement.execute();
		}
	}

	private @Nullable Lease read(String clientId) {
		return this.transactions.read(clientId, () -> "read the lease", (connection) -> select(connection, clientId));
	}

	private @Nullable Lease select(Connection connection, String clientId) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(this.statements.selectLease)) {
			statement.setString(1, clientId);
			try (ResultSet row = statement.executeQuery()) {
				return row.next() ? new Lease(row.getString(1), row.getLong(2)) : null;
			}
		}
	}

	private static boolean lockNotAvailable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql
					&& SessionStoreStatements.POSTGRES_LOCK_NOT_AVAILABLE.equals(sql.getSQLState())) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * A session's lease as stored.
	 *
	 * @param owner its owner; absent when none holds it
	 * @param generation its generation
	 */
	private record Lease(@Nullable String owner, long generation) {

	}

}
