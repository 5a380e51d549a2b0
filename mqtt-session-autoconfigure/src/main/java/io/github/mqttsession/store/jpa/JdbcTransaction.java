package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** Runs plain JDBC work beneath the entities in one transaction of its own, on a connection from the DataSource. */
final class JdbcTransaction {

	private JdbcTransaction() {
	}

	/**
	 * Runs work in one transaction: committed when it returns, rolled back when it fails.
	 * @param <T> what the work returns
	 * @param dataSource the database
	 * @param work the work
	 * @return what the work returned
	 * @throws SQLException when the database fails; nothing is written then
	 */
	static <T> T run(DataSource dataSource, Work<T> work) throws SQLException {
		try (Connection connection = dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			if (autoCommit) {
				connection.setAutoCommit(false);
			}
			try {
				T result = work.run(connection);
				connection.commit();
				return result;
			}
			catch (SQLException | RuntimeException ex) {
				try {
					connection.rollback();
				}
				catch (SQLException rollbackFailure) {
					ex.addSuppressed(rollbackFailure);
				}
				throw ex;
			}
			finally {
				if (autoCommit) {
					connection.setAutoCommit(true);
				}
			}
		}
	}

	/**
	 * Work on a connection inside the transaction.
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	interface Work<T> {

		T run(Connection connection) throws SQLException;

	}

}
