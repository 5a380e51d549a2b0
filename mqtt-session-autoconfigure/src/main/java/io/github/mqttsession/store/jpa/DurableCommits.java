package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import javax.sql.DataSource;

import io.github.mqttsession.store.SessionStoreException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Makes sure a commit of the store survives the process, whatever the database was
 * configured with. H2 keeps commits in memory for up to 500 ms unless its write delay is
 * 0; PostgreSQL acknowledges a commit before it is flushed when
 * {@code synchronous_commit} is off.
 */
final class DurableCommits {

	private static final Log logger = LogFactory.getLog(DurableCommits.class);

	private DurableCommits() {
	}

	/**
	 * Sets H2's write delay to 0 when it is not, and tells whether each PostgreSQL
	 * transaction must ask for a synchronous commit.
	 * @param dataSource the database
	 * @param databaseProductName its product name
	 * @return {@code true} when transactions must run
	 * {@link SessionStoreStatements#SYNCHRONOUS_COMMIT}
	 */
	static boolean ensure(DataSource dataSource, String databaseProductName) {
		String product = databaseProductName.toLowerCase(Locale.ROOT);
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			if (product.contains("h2")) {
				ensureH2WriteDelayZero(statement);
				return false;
			}
			if (product.contains("postgres")) {
				return isSynchronousCommitOff(statement);
			}
			return false;
		}
		catch (SQLException ex) {
			throw new SessionStoreException("Could not check that the database's commits are durable: "
					+ ex.getMessage() + ". On H2 add ;WRITE_DELAY=0 to the JDBC URL", ex);
		}
	}

	private static void ensureH2WriteDelayZero(Statement statement) throws SQLException {
		try (ResultSet setting = statement.executeQuery(SessionStoreStatements.SELECT_H2_WRITE_DELAY)) {
			if (!setting.next() || "0".equals(setting.getString(1))) {
				return;
			}
			logger.info("H2 keeps commits in memory for " + setting.getString(1)
					+ " ms (WRITE_DELAY); the session store sets it to 0 so that a stored message survives a crash."
					+ " Add ;WRITE_DELAY=0 to the JDBC URL to make this explicit");
		}
		statement.execute(SessionStoreStatements.SET_H2_WRITE_DELAY_ZERO);
	}

	private static boolean isSynchronousCommitOff(Statement statement) throws SQLException {
		try (ResultSet setting = statement.executeQuery(SessionStoreStatements.SHOW_SYNCHRONOUS_COMMIT)) {
			String value = setting.next() ? setting.getString(1) : "on";
			if ("off".equalsIgnoreCase(value)) {
				logger.info("PostgreSQL's synchronous_commit is off for this connection; the session store turns it on"
						+ " for its own transactions, so that a stored message survives a crash");
				return true;
			}
			return false;
		}
	}

}
