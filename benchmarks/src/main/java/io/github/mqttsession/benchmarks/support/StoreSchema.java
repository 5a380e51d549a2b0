package io.github.mqttsession.benchmarks.support;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.MqttSessionSchemaInitializer;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * The store's tables, made by the starter's own schema initializer as an application
 * makes them.
 */
public final class StoreSchema {

	private StoreSchema() {
	}

	/**
	 * Creates the default tables where they do not exist yet.
	 * @param dataSource the database
	 */
	public static void createIn(DataSource dataSource) {
		String prefix = JpaSessionStore.DEFAULT_TABLE_PREFIX;
		new MqttSessionSchemaInitializer(dataSource, DatabaseInitializationMode.ALWAYS, prefix).initializeDatabase();
	}

}
