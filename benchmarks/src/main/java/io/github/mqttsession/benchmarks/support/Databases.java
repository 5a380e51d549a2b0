package io.github.mqttsession.benchmarks.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.autoconfigure.MqttSessionSchemaInitializer;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.core.io.DefaultResourceLoader;

/** Pooled DataSources on the benchmark databases, with the store's tables created by the starter's initializer. */
public final class Databases {

	private Databases() {
	}

	/**
	 * A pooled DataSource on a new H2 database in a file, durable at every commit as far as H2 goes
	 * ({@code WRITE_DELAY=0}; H2 does not fsync a commit).
	 * @param folder where the database file goes
	 * @return the DataSource
	 */
	public static HikariDataSource newH2File(Path folder) {
		Path file = folder.resolve("h2-" + UUID.randomUUID()).toAbsolutePath();
		return pooled("jdbc:h2:file:" + file + ";WRITE_DELAY=0", "sa", "");
	}

	/**
	 * A pooled DataSource on the run's PostgreSQL server, whose URL a forked JVM finds in a system property.
	 * @param url the JDBC URL, or {@code null} to read {@value PostgresServer#URL_PROPERTY}
	 * @return the DataSource
	 */
	public static HikariDataSource postgres(String url) {
		String jdbcUrl = (url != null) ? url : System.getProperty(PostgresServer.URL_PROPERTY);
		if (jdbcUrl == null) {
			throw new IllegalStateException("No PostgreSQL server: the harness passes its URL in -D"
					+ PostgresServer.URL_PROPERTY);
		}
		return pooled(jdbcUrl, "postgres", "postgres");
	}

	private static HikariDataSource pooled(String url, String user, String password) {
		HikariDataSource dataSource = new HikariDataSource();
		dataSource.setJdbcUrl(url);
		dataSource.setUsername(user);
		dataSource.setPassword(password);
		dataSource.setMaximumPoolSize(10);
		return dataSource;
	}

	/**
	 * Creates the store's default tables with the starter's schema initializer (idempotent).
	 * @param dataSource the database
	 */
	public static void createTables(DataSource dataSource) {
		MqttSessionSchemaInitializer initializer = new MqttSessionSchemaInitializer(dataSource,
				DatabaseInitializationMode.ALWAYS, JpaSessionStore.DEFAULT_TABLE_PREFIX);
		initializer.setResourceLoader(new DefaultResourceLoader());
		initializer.initializeDatabase();
	}

	/**
	 * Empties the store's tables, so that a trial on the shared PostgreSQL server starts from nothing.
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
	 * @return the value as text
	 */
	public static String queryString(DataSource dataSource, String sql) {
		try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery(sql)) {
			return result.next() ? result.getString(1) : null;
		}
		catch (SQLException ex) {
			return "? (" + ex.getMessage() + ")";
		}
	}

}
