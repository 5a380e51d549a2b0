package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import io.github.mqttsession.store.SessionStoreException;
import jakarta.persistence.EntityManagerFactory;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/**
 * Checks at start-up that the store's tables exist and match its entities, so that a
 * missing or outdated schema fails at construction, with a message that says what to do,
 * rather than at the first write.
 */
final class StoreSchema {

	private static final List<String> TABLES = List.of("SESSION", "SUBSCRIPTION", "PENDING_MESSAGE");

	private StoreSchema() {
	}

	/**
	 * Checks that the store's tables exist, with a message that says how to create them.
	 * @param dataSource the database
	 * @param tablePrefix the table prefix
	 * @return the database product name
	 * @throws SessionStoreException when a table is missing or the database cannot be
	 * reached
	 */
	static String checkTables(DataSource dataSource, String tablePrefix) {
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			String product = metaData.getDatabaseProductName();
			for (String table : TABLES) {
				String name = tablePrefix + table;
				if (!tableExists(metaData, name)) {
					String platform = product.toLowerCase(Locale.ROOT).contains("postgres") ? "postgresql" : "h2";
					throw new SessionStoreException("Table " + name + " of the JPA session store does not exist in "
							+ metaData.getURL() + ". Create the tables with the script classpath:"
							+ JpaSessionStore.class.getPackageName().replace('.', '/') + "/schema-" + platform
							+ ".sql (with " + JpaSessionStore.DEFAULT_TABLE_PREFIX + " replaced by " + tablePrefix
							+ "), or let the starter create them: mqtt.session.jpa.initialize-schema=always");
				}
			}
			return product;
		}
		catch (SQLException ex) {
			throw new SessionStoreException("Could not reach the database of the JPA session store: " + ex.getMessage(),
					ex);
		}
	}

	private static boolean tableExists(DatabaseMetaData metaData, String name) throws SQLException {
		for (String candidate : List.of(name, name.toUpperCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))) {
			try (ResultSet tables = metaData.getTables(null, null, candidate, new String[] { "TABLE" })) {
				if (tables.next()) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Builds the store's own persistence unit, holding only its three entities, which
	 * validates the tables against them.
	 * @param dataSource the database
	 * @param tablePrefix the table prefix
	 * @return the persistence unit
	 * @throws SessionStoreException when the tables do not match the entities
	 */
	static EntityManagerFactory validate(DataSource dataSource, String tablePrefix) {
		Configuration configuration = new Configuration();
		configuration.addAnnotatedClass(SessionEntity.class);
		configuration.addAnnotatedClass(SubscriptionEntity.class);
		configuration.addAnnotatedClass(PendingMessageEntity.class);
		configuration.setPhysicalNamingStrategy(new TablePrefixNamingStrategy(tablePrefix));
		configuration.getProperties().put(AvailableSettings.DATASOURCE, dataSource);
		configuration.setProperty(AvailableSettings.HBM2DDL_AUTO, "validate");
		configuration.setProperty(AvailableSettings.PERSISTENCE_UNIT_NAME, "mqtt-session");
		try {
			return configuration.buildSessionFactory();
		}
		catch (RuntimeException ex) {
			throw new SessionStoreException("The tables of the JPA session store do not match what it expects: "
					+ JdbcTransactions.rootMessage(ex), ex);
		}
	}

}
