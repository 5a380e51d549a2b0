package io.github.mqttsession.testsupport;

import java.nio.file.Path;
import java.util.UUID;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.autoconfigure.MqttSessionSchemaInitializer;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.core.io.DefaultResourceLoader;

/** DataSources on real databases for tests, with the store's tables created by the starter's own initializer. */
public final class Databases {

	private Databases() {
	}

	/**
	 * A pooled DataSource on a new H2 database in a file under {@code target/}, durable at every commit.
	 * @return the DataSource
	 */
	public static HikariDataSource newH2File() {
		Path file = Path.of("target", "h2", UUID.randomUUID().toString()).toAbsolutePath();
		return pooled("jdbc:h2:file:" + file + ";WRITE_DELAY=0", "sa", "");
	}

	/**
	 * A pooled DataSource on the shared embedded PostgreSQL server.
	 * @return the DataSource
	 */
	public static HikariDataSource postgres() {
		return pooled(EmbeddedPostgresExtension.jdbcUrl(), "postgres", "postgres");
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
		dataSource.setMaximumPoolSize(8);
		return dataSource;
	}

	/**
	 * Creates the store's tables with the starter's schema initializer.
	 * @param dataSource the database
	 * @param tablePrefix the table prefix
	 */
	public static void createTables(DataSource dataSource, String tablePrefix) {
		MqttSessionSchemaInitializer initializer = new MqttSessionSchemaInitializer(dataSource,
				DatabaseInitializationMode.ALWAYS, tablePrefix);
		initializer.setResourceLoader(new DefaultResourceLoader());
		initializer.initializeDatabase();
	}

	/**
	 * Creates the default tables.
	 * @param dataSource the database
	 */
	public static void createTables(DataSource dataSource) {
		createTables(dataSource, JpaSessionStore.DEFAULT_TABLE_PREFIX);
	}

}
