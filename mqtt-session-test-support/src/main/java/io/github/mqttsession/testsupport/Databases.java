package io.github.mqttsession.testsupport;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.jspecify.annotations.Nullable;

/**
 * Pooled DataSources on real databases: H2 files and a PostgreSQL server. The store's
 * tables come from the starter's own schema initializer, which its users call; this
 * module cannot, as the starter's tests depend on it.
 */
public final class Databases {

	private Databases() {
	}

	/**
	 * A pooled DataSource on a new H2 database in a file under {@code target/h2}, durable
	 * at every commit as far as H2 goes.
	 * @return the DataSource
	 */
	public static HikariDataSource newH2File() {
		return newH2File(Path.of("target", "h2"));
	}

	/**
	 * A pooled DataSource on a new H2 database in a file, durable at every commit as far
	 * as H2 goes ({@code WRITE_DELAY=0}; H2 does not fsync a commit).
	 * @param folder where the database file goes
	 * @return the DataSource
	 */
	public static HikariDataSource newH2File(Path folder) {
		Path file = folder.resolve("h2-" + UUID.randomUUID()).toAbsolutePath();
		return pooled("jdbc:h2:file:" + file + ";WRITE_DELAY=0", "sa", "");
	}

	/**
	 * A pooled DataSource on the {@code postgres} database of a PostgreSQL server such as
	 * {@link PostgresServer}.
	 * @param url the JDBC URL
	 * @return the DataSource
	 */
	public static HikariDataSource postgres(String url) {
		return pooled(url, "postgres", "postgres");
	}

	/**
	 * A pooled DataSource on a JDBC URL.
	 * @param url the URL
	 * @param user the user
	 * @param password the password
	 * @return the DataSource
	 */
	public static HikariDataSource pooled(String url, String user, String password) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(url);
		dataSource.setUsername(user);
		dataSource.setPassword(password);
		dataSource.setMaximumPoolSize(10);
		return dataSource;
	}

	/**
	 * Empties the store's default tables, so that work on a shared PostgreSQL server
	 * starts from nothing.
	 * @param dataSource the database
	 */
	public static void truncateTables(DataSource dataSource) {
		execute(dataSource, "DELETE FROM MQTT_PENDING_MESSAGE", "DELETE FROM MQTT_SUBSCRIPTION",
				"DELETE FROM MQTT_SESSION");
	}

	/**
	 * Runs statements, each committed.
	 * @param dataSource the database
	 * @param sql the statements
	 */
	public static void execute(DataSource dataSource, String... sql) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
			for (String each : sql) {
				statement.execute(each);
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex.getMessage(), ex);
		}
	}

	/**
	 * Reads one value.
	 * @param dataSource the database
	 * @param sql a query of one row and column
	 * @return the value as text, or a question mark with the error when the query fails
	 */
	public static @Nullable String queryString(DataSource dataSource, String sql) {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			return result.next() ? result.getString(1) : null;
		}
		catch (SQLException ex) {
			return "? (" + ex.getMessage() + ")";
		}
	}

}
