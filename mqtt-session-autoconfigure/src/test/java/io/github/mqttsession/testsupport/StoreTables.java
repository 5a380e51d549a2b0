package io.github.mqttsession.testsupport;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.MqttSessionSchemaInitializer;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Creates the store's tables in a test's database with the starter's own schema
 * initializer.
 */
public final class StoreTables {

	private StoreTables() {
	}

	/**
	 * Creates the tables with a table prefix.
	 * @param dataSource the database
	 * @param tablePrefix the table prefix
	 */
	public static void create(DataSource dataSource, String tablePrefix) {
		new MqttSessionSchemaInitializer(dataSource, DatabaseInitializationMode.ALWAYS, tablePrefix)
			.initializeDatabase();
	}

	/**
	 * Creates the default tables.
	 * @param dataSource the database
	 */
	public static void create(DataSource dataSource) {
		create(dataSource, JpaSessionStore.DEFAULT_TABLE_PREFIX);
	}

}
