package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.github.mqttsession.store.SessionStoreException;

/**
 * Runs the store's plain JDBC work beneath the entities, each call in one transaction of
 * its own on a connection from the DataSource, never joined to a caller's. A failure
 * reaches the caller as a {@link SessionStoreException} that names the action and the
 * client.
 */
final class JdbcTransactions {

	/** Stands for every client in a failure's message: the action concerns them all. */
	static final String ALL_CLIENTS = "*";

	private final DataSource dataSource;

	/** Whether each writing transaction must ask PostgreSQL for a synchronous commit. */
	private final boolean forceSynchronousCommit;

	private final SessionFences fences;

	JdbcTransactions(DataSource dataSource, boolean forceSynchronousCommit, SessionFences fences) {
		this.dataSource = dataSource;
		this.forceSynchronousCommit = forceSynchronousCommit;
		this.fences = fences;
	}

	/**
	 * Runs work that only reads.
	 * @param <T> what the work returns
	 * @param clientId the client the work concerns, or {@link #ALL_CLIENTS}
	 * @param action what the work does, for a failure's message (asked only on failure)
	 * @param work the work
	 * @return what the work returned
	 * @throws SessionStoreException when the database fails
	 */
	<T> T read(String clientId, Supplier<String> action, Work<T> work) {
		return run(clientId, action, false, work);
	}

	/**
	 * Runs work that writes a session: committed, durably, when it returns; rolled back
	 * when it fails. When the store holds a lease on the session, the transaction is
	 * fenced on it first ({@link SessionFences}).
	 * @param <T> what the work returns
	 * @param clientId the client the work concerns, or {@link #ALL_CLIENTS}
	 * @param action what the work does, for a failure's message (asked only on failure)
	 * @param work the work
	 * @return what the work returned
	 * @throws SessionStoreException when the database fails (nothing is written then), or
	 * as the work throws it
	 * @throws io.github.mqttsession.store.SessionLeaseLostException when another owner
	 * took the session's lease over
	 */
	<T> T write(String clientId, Supplier<String> action, Work<T> work) {
		return run(clientId, action, this.forceSynchronousCommit, (connection) -> {
			this.fences.check(connection, clientId);
			return work.run(connection);
		});
	}

	/**
	 * Runs work that writes without a fence, such as the lease's own writes, or a write
	 * for every client.
	 * @param <T> what the work returns
	 * @param clientId the client the work concerns, or {@link #ALL_CLIENTS}
	 * @param action what the work does, for a failure's message (asked only on failure)
	 * @param work the work
	 * @return what the work returned
	 * @throws SessionStoreException when the database fails (nothing is written then), or
	 * as the work throws it
	 */
	<T> T writeUnfenced(String clientId, Supplier<String> action, Work<T> work) {
		return run(clientId, action, this.forceSynchronousCommit, work);
	}

	private <T> T run(String clientId, Supplier<String> action, boolean synchronousCommit, Work<T> work) {
		try {
			return inTransaction(synchronousCommit, work);
		}
		catch (SessionStoreException ex) {
			throw ex;
		}
		catch (SQLException | RuntimeException ex) {
			String subject = ALL_CLIENTS.equals(clientId) ? "" : " for client '" + clientId + "'";
			throw new SessionStoreException("Could not " + action.get() + subject + ": " + rootMessage(ex), ex);
		}
	}

	private <T> T inTransaction(boolean synchronousCommit, Work<T> work) throws SQLException {
		try (Connection connection = this.dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			if (autoCommit) {
				connection.setAutoCommit(false);
			}
			try {
				if (synchronousCommit) {
					try (PreparedStatement statement = connection
						.prepareStatement(SessionStoreStatements.SYNCHRONOUS_COMMIT)) {
						statement.execute();
					}
				}
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
	 * The message of the innermost cause, which is the one that says what the database
	 * refused.
	 * @param ex the failure
	 * @return its root cause's message, or that cause's class name
	 */
	static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getName();
	}

	/**
	 * Work on a connection inside the transaction.
	 *
	 * @param <T> what it returns
	 */
	@FunctionalInterface
	interface Work<T> {

		T run(Connection connection) throws SQLException;

	}

}
