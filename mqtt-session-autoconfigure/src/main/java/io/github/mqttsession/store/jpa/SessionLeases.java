package io.github.mqttsession.store.jpa;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.github.mqttsession.store.SessionStoreException;

/**
 * The lease a running client holds on its session row, so that a second instance with the
 * same client id finds it taken: taken in one transaction that creates the row when
 * missing, given up by its owner only. A lease's end is reckoned on the database's clock,
 * which every instance shares, not on the clock of the instance taking it.
 */
final class SessionLeases {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	SessionLeases(JdbcTransactions transactions, SessionStoreStatements statements) {
		this.transactions = transactions;
		this.statements = statements;
	}

	/**
	 * Takes or renews the lease on a session, creating its row when missing.
	 * @param clientId the client id
	 * @param owner who takes the lease
	 * @param duration how long from now, on the database's clock, the lease lasts
	 * @param now the current time on the store's clock, stamped on a session row this
	 * creates
	 * @return empty when the lease was taken, else the owner who holds it
	 * @throws SessionStoreException when the database fails
	 */
	Optional<String> acquire(String clientId, String owner, Duration duration, Instant now) {
		return this.transactions.write(clientId, () -> "take the lease for " + owner, (connection) -> {
			RowBinding.insertSessionIfAbsent(connection, this.statements, clientId, now);
			int taken = RowBinding.update(connection, this.statements.takeLease, (statement) -> {
				statement.setString(1, owner);
				statement.setLong(2, duration.toMillis());
				statement.setString(3, clientId);
				statement.setString(4, owner);
			});
			if (taken == 1) {
				return Optional.<String>empty();
			}
			try (PreparedStatement statement = connection.prepareStatement(this.statements.selectLeaseOwner)) {
				statement.setString(1, clientId);
				try (ResultSet row = statement.executeQuery()) {
					if (!row.next()) {
						throw new IllegalStateException("Another writer deleted the session meanwhile");
					}
					return Optional.of(row.getString(1));
				}
			}
		});
	}

	/**
	 * Gives up a lease, if the owner still holds it.
	 * @param clientId the client id
	 * @param owner who held the lease
	 * @throws SessionStoreException when the database fails
	 */
	void release(String clientId, String owner) {
		this.transactions.write(clientId, () -> "give up the lease of " + owner,
				(connection) -> RowBinding.update(connection, this.statements.releaseLease, (statement) -> {
					statement.setString(1, clientId);
					statement.setString(2, owner);
				}));
	}

}
