package io.github.mqttsession.store.jpa;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.SessionSummary;

/**
 * What concerns every stored session at once: a summary of each, for the endpoint, and
 * the deletion of sessions nobody has used for a while. Each is one statement, whatever
 * the number of sessions.
 */
final class AllSessions {

	private final JdbcTransactions transactions;

	private final SessionStoreStatements statements;

	AllSessions(JdbcTransactions transactions, SessionStoreStatements statements) {
		this.transactions = transactions;
		this.statements = statements;
	}

	/**
	 * Summarises every stored session, by client id.
	 * @return the summaries
	 * @throws SessionStoreException when the database fails
	 */
	List<SessionSummary> list() {
		return this.transactions.read(JdbcTransactions.ALL_CLIENTS, () -> "list sessions", (connection) -> {
			List<SessionSummary> summaries = new ArrayList<>();
			try (PreparedStatement statement = connection.prepareStatement(this.statements.listSessions);
					ResultSet row = statement.executeQuery()) {
				while (row.next()) {
					Instant lastUpdated = latest(instant(row, 3), instant(row, 8), instant(row, 9));
					summaries.add(new SessionSummary(row.getString(1), row.getInt(6), row.getInt(7), row.getInt(2),
							lastUpdated, row.getString(4), instant(row, 5)));
				}
			}
			return summaries;
		});
	}

	/**
	 * The database's current time, on which leases are reckoned.
	 * @return the time
	 * @throws SessionStoreException when the database fails
	 */
	Instant currentTime() {
		return this.transactions.read(JdbcTransactions.ALL_CLIENTS, () -> "read the database's time", (connection) -> {
			try (PreparedStatement statement = connection.prepareStatement(SessionStoreStatements.CURRENT_TIME);
					ResultSet row = statement.executeQuery()) {
				row.next();
				return row.getObject(1, OffsetDateTime.class).toInstant();
			}
		});
	}

	/**
	 * Deletes the sessions whose rows all date from before a cutoff and whose lease, if
	 * any, has run out on the database's clock.
	 * @param cutoff the cutoff
	 * @return the number of sessions deleted
	 * @throws SessionStoreException when the database fails
	 */
	int deleteIdleSince(Instant cutoff) {
		return this.transactions.writeUnfenced(JdbcTransactions.ALL_CLIENTS,
				() -> "delete sessions idle since " + cutoff,
				(connection) -> RowBinding.update(connection, this.statements.deleteIdleSessions, (statement) -> {
					statement.setObject(1, RowBinding.timestamp(cutoff));
					statement.setObject(2, RowBinding.timestamp(cutoff));
					statement.setObject(3, RowBinding.timestamp(cutoff));
				}));
	}

	private static Instant instant(ResultSet row, int column) throws SQLException {
		return RowBinding.instant(row.getObject(column, OffsetDateTime.class));
	}

	private static Instant latest(Instant... instants) {
		Instant latest = null;
		for (Instant instant : instants) {
			if (instant != null && (latest == null || instant.isAfter(latest))) {
				latest = instant;
			}
		}
		return latest;
	}

}
