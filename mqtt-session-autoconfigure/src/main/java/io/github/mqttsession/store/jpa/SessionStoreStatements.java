package io.github.mqttsession.store.jpa;

import java.util.Locale;

/**
 * The few statements the JPA store runs over JDBC, beneath its entities: inserts and upserts, written once per
 * database because standard JPA has no upsert. Table names carry the configured prefix.
 */
final class SessionStoreStatements {

	private static final String MESSAGE_COLUMNS = "CLIENT_ID, STATE, PACKET_ID, TOPIC, QOS, RETAINED, DUPLICATE, PROPERTIES, PAYLOAD, CREATED_AT,"
			+ " EXPIRES_AT";

	final String insertSessionIfAbsent;

	final String upsertSubscription;

	final String upsertPendingMessage;

	final String deletePendingMessage;

	final String deletePendingMessages;

	final String deleteSubscription;

	final String deleteSubscriptions;

	/** Sets packet id and update time and counts the version up, when the version is still the one given. */
	final String updateSessionIfVersion;

	private SessionStoreStatements(String tablePrefix, String insertSessionIfAbsent, String upsertSubscription,
			String upsertPendingMessage) {
		this.insertSessionIfAbsent = insertSessionIfAbsent;
		this.upsertSubscription = upsertSubscription;
		this.upsertPendingMessage = upsertPendingMessage;
		String message = tablePrefix + "PENDING_MESSAGE";
		String subscription = tablePrefix + "SUBSCRIPTION";
		this.deletePendingMessage = "DELETE FROM " + message + " WHERE CLIENT_ID = ? AND STATE = ? AND PACKET_ID = ?";
		this.deletePendingMessages = "DELETE FROM " + message + " WHERE CLIENT_ID = ?";
		this.deleteSubscription = "DELETE FROM " + subscription + " WHERE CLIENT_ID = ? AND TOPIC_FILTER = ?";
		this.deleteSubscriptions = "DELETE FROM " + subscription + " WHERE CLIENT_ID = ?";
		this.updateSessionIfVersion = "UPDATE " + tablePrefix + "SESSION SET PACKET_ID = ?, UPDATED_AT = ?,"
				+ " VERSION = VERSION + 1 WHERE CLIENT_ID = ? AND VERSION = ?";
	}

	/**
	 * The statements for a database, by the product name its JDBC driver reports.
	 * @param databaseProductName the database product name
	 * @param tablePrefix the table prefix
	 * @return the statements
	 * @throws IllegalStateException for a database the store does not support
	 */
	static SessionStoreStatements forDatabase(String databaseProductName, String tablePrefix) {
		String name = databaseProductName.toLowerCase(Locale.ROOT);
		String session = tablePrefix + "SESSION";
		String subscription = tablePrefix + "SUBSCRIPTION";
		String message = tablePrefix + "PENDING_MESSAGE";
		if (name.contains("postgres")) {
			return new SessionStoreStatements(tablePrefix,
					"INSERT INTO " + session + " (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT)"
							+ " VALUES (?, 0, 0, ?, ?) ON CONFLICT (CLIENT_ID) DO NOTHING",
					"INSERT INTO " + subscription + " (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT) VALUES (nextval('"
							+ subscription + "_SEQ'), ?, ?, ?, ?) ON CONFLICT (CLIENT_ID, TOPIC_FILTER)"
							+ " DO UPDATE SET QOS = EXCLUDED.QOS, CREATED_AT = EXCLUDED.CREATED_AT",
					"INSERT INTO " + message + " (ID, " + MESSAGE_COLUMNS + ") VALUES (nextval('" + message
							+ "_SEQ'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (CLIENT_ID, STATE, PACKET_ID) DO UPDATE SET"
							+ " TOPIC = EXCLUDED.TOPIC, QOS = EXCLUDED.QOS, RETAINED = EXCLUDED.RETAINED,"
							+ " DUPLICATE = EXCLUDED.DUPLICATE, PROPERTIES = EXCLUDED.PROPERTIES,"
							+ " PAYLOAD = EXCLUDED.PAYLOAD, CREATED_AT = EXCLUDED.CREATED_AT, EXPIRES_AT = EXCLUDED.EXPIRES_AT");
		}
		if (name.contains("h2")) {
			return new SessionStoreStatements(tablePrefix,
					"MERGE INTO " + session + " T USING (VALUES (CAST(? AS VARCHAR(1024)))) S(CLIENT_ID)"
							+ " ON T.CLIENT_ID = S.CLIENT_ID WHEN NOT MATCHED THEN"
							+ " INSERT (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT) VALUES (S.CLIENT_ID, 0, 0, ?, ?)",
					"MERGE INTO " + subscription + " T USING (VALUES (CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(1024)),"
							+ " CAST(? AS INTEGER), CAST(? AS TIMESTAMP(6) WITH TIME ZONE))) S(CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
							+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.TOPIC_FILTER = S.TOPIC_FILTER"
							+ " WHEN MATCHED THEN UPDATE SET QOS = S.QOS, CREATED_AT = S.CREATED_AT"
							+ " WHEN NOT MATCHED THEN INSERT (ID, CLIENT_ID, TOPIC_FILTER, QOS, CREATED_AT)"
							+ " VALUES (NEXT VALUE FOR " + subscription + "_SEQ, S.CLIENT_ID, S.TOPIC_FILTER, S.QOS, S.CREATED_AT)",
					"MERGE INTO " + message + " T USING (VALUES (CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(20)),"
							+ " CAST(? AS INTEGER), CAST(? AS VARCHAR(65535)), CAST(? AS INTEGER), CAST(? AS BOOLEAN),"
							+ " CAST(? AS BOOLEAN), CAST(? AS VARBINARY), CAST(? AS VARBINARY),"
							+ " CAST(? AS TIMESTAMP(6) WITH TIME ZONE), CAST(? AS TIMESTAMP(6) WITH TIME ZONE))) S("
							+ MESSAGE_COLUMNS + ")"
							+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.STATE = S.STATE AND T.PACKET_ID = S.PACKET_ID"
							+ " WHEN MATCHED THEN UPDATE SET TOPIC = S.TOPIC, QOS = S.QOS, RETAINED = S.RETAINED,"
							+ " DUPLICATE = S.DUPLICATE, PROPERTIES = S.PROPERTIES, PAYLOAD = S.PAYLOAD, CREATED_AT = S.CREATED_AT,"
							+ " EXPIRES_AT = S.EXPIRES_AT"
							+ " WHEN NOT MATCHED THEN INSERT (ID, " + MESSAGE_COLUMNS + ") VALUES (NEXT VALUE FOR " + message
							+ "_SEQ, S.CLIENT_ID, S.STATE, S.PACKET_ID, S.TOPIC, S.QOS, S.RETAINED, S.DUPLICATE,"
							+ " S.PROPERTIES, S.PAYLOAD, S.CREATED_AT, S.EXPIRES_AT)");
		}
		throw new IllegalStateException("The JPA session store supports H2 and PostgreSQL, but the DataSource is "
				+ databaseProductName + "; supply a SessionStore bean of your own for other databases");
	}

}
