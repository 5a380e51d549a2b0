package io.github.mqttsession.store.jpa;

import java.util.Locale;

/**
 * Every statement the JPA store runs, in one place. The store reads and writes over plain
 * JDBC beneath its entities, which serve only to validate the tables. Statements are
 * templates with {@value #PREFIX} in front of each table and sequence name, resolved once
 * per store with the configured prefix (as Spring Session JDBC does with its table name);
 * the upserts are written once per database because standard SQL has none that both H2
 * and PostgreSQL run, and so is the end of a lease.
 */
final class SessionStoreStatements {

	/** The databases the store has statements for, as a person names them. */
	static final String SUPPORTED_DATABASES = "H2 and PostgreSQL";

	/** The placeholder for the table prefix in the templates. */
	static final String PREFIX = "%PREFIX%";

	/** Asks PostgreSQL to flush this transaction's commit before acknowledging it. */
	static final String SYNCHRONOUS_COMMIT = "SET LOCAL synchronous_commit TO on";

	/** The database's current time, on which leases are reckoned. */
	static final String CURRENT_TIME = "SELECT CURRENT_TIMESTAMP";

	/** PostgreSQL's {@code synchronous_commit} setting for the connection. */
	static final String SHOW_SYNCHRONOUS_COMMIT = "SHOW synchronous_commit";

	/** How long H2 keeps commits in memory, in milliseconds. */
	static final String SELECT_H2_WRITE_DELAY = "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
			+ " WHERE SETTING_NAME = 'WRITE_DELAY'";

	/** Makes H2 write every commit at once. */
	static final String SET_H2_WRITE_DELAY_ZERO = "SET WRITE_DELAY 0";

	private static final String MESSAGE_COLUMNS = "CLIENT_ID, STATE, PACKET_ID, TOPIC, QOS, RETAINED, DUPLICATE,"
			+ " PROPERTIES, PAYLOAD, CREATED_AT, EXPIRES_AT";

	private static final String SELECT_SESSION_QUERY = "SELECT PACKET_ID, VERSION FROM %PREFIX%SESSION"
			+ " WHERE CLIENT_ID = ?";

	private static final String SELECT_SUBSCRIPTIONS_QUERY = "SELECT TOPIC_FILTER, QOS, CONFIGURED FROM %PREFIX%SUBSCRIPTION"
			+ " WHERE CLIENT_ID = ? ORDER BY ID";

	private static final String SELECT_MESSAGES_QUERY = "SELECT STATE, PACKET_ID, TOPIC, QOS, RETAINED, DUPLICATE,"
			+ " PROPERTIES, PAYLOAD, EXPIRES_AT FROM %PREFIX%PENDING_MESSAGE WHERE CLIENT_ID = ? ORDER BY ID";

	/**
	 * Sets packet id and update time and counts the version up, when the version is still
	 * the one given.
	 */
	private static final String UPDATE_SESSION_IF_VERSION_QUERY = "UPDATE %PREFIX%SESSION SET PACKET_ID = ?,"
			+ " UPDATED_AT = ?, VERSION = VERSION + 1 WHERE CLIENT_ID = ? AND VERSION = ?";

	/**
	 * Sets packet id and update time and counts the version up, so that a save based on
	 * the old row conflicts.
	 */
	private static final String UPDATE_PACKET_ID_QUERY = "UPDATE %PREFIX%SESSION SET PACKET_ID = ?, UPDATED_AT = ?,"
			+ " VERSION = VERSION + 1 WHERE CLIENT_ID = ?";

	/**
	 * Deletes a session; its subscriptions and messages go with it
	 * ({@code ON DELETE CASCADE}).
	 */
	private static final String DELETE_SESSION_QUERY = "DELETE FROM %PREFIX%SESSION WHERE CLIENT_ID = ?";

	private static final String DELETE_SUBSCRIPTION_QUERY = "DELETE FROM %PREFIX%SUBSCRIPTION"
			+ " WHERE CLIENT_ID = ? AND TOPIC_FILTER = ?";

	private static final String DELETE_SUBSCRIPTIONS_QUERY = "DELETE FROM %PREFIX%SUBSCRIPTION WHERE CLIENT_ID = ?";

	private static final String DELETE_MESSAGE_QUERY = "DELETE FROM %PREFIX%PENDING_MESSAGE"
			+ " WHERE CLIENT_ID = ? AND STATE = ? AND PACKET_ID = ?";

	private static final String DELETE_MESSAGES_QUERY = "DELETE FROM %PREFIX%PENDING_MESSAGE WHERE CLIENT_ID = ?";

	/**
	 * Every session with its counts, and its last change: the session row's or its latest
	 * child row's.
	 */
	private static final String LIST_SESSIONS_QUERY = "SELECT S.CLIENT_ID, S.PACKET_ID, S.UPDATED_AT, S.OWNER,"
			+ " S.LEASE_EXPIRES_AT," + " (SELECT COUNT(*) FROM %PREFIX%SUBSCRIPTION B WHERE B.CLIENT_ID = S.CLIENT_ID),"
			+ " (SELECT COUNT(*) FROM %PREFIX%PENDING_MESSAGE M WHERE M.CLIENT_ID = S.CLIENT_ID),"
			+ " (SELECT MAX(B.CREATED_AT) FROM %PREFIX%SUBSCRIPTION B WHERE B.CLIENT_ID = S.CLIENT_ID),"
			+ " (SELECT MAX(M.CREATED_AT) FROM %PREFIX%PENDING_MESSAGE M WHERE M.CLIENT_ID = S.CLIENT_ID)"
			+ " FROM %PREFIX%SESSION S ORDER BY S.CLIENT_ID";

	/**
	 * Deletes the sessions not changed since a cutoff (session row and child rows alike)
	 * whose lease has run out on the database's clock: the cutoff, three times.
	 */
	private static final String DELETE_IDLE_SESSIONS_QUERY = "DELETE FROM %PREFIX%SESSION S WHERE S.UPDATED_AT < ?"
			+ " AND (S.LEASE_EXPIRES_AT IS NULL OR S.LEASE_EXPIRES_AT < CURRENT_TIMESTAMP)"
			+ " AND NOT EXISTS (SELECT 1 FROM %PREFIX%PENDING_MESSAGE M"
			+ " WHERE M.CLIENT_ID = S.CLIENT_ID AND M.CREATED_AT >= ?)"
			+ " AND NOT EXISTS (SELECT 1 FROM %PREFIX%SUBSCRIPTION B"
			+ " WHERE B.CLIENT_ID = S.CLIENT_ID AND B.CREATED_AT >= ?)";

	/**
	 * Takes the lease for a number of milliseconds when nobody holds it, the owner
	 * already does, or the holder's lease has run out: its end is reckoned and compared
	 * on the database's clock, which every instance shares, so that an instance whose own
	 * clock is off neither takes a live lease nor lets its own run out. Standard SQL has
	 * no interval arithmetic that both databases run, so the end's expression is written
	 * once per database.
	 */
	private static final String TAKE_LEASE_QUERY = "UPDATE %PREFIX%SESSION SET"
			+ " LEASE_GENERATION = CASE WHEN OWNER = ? THEN LEASE_GENERATION ELSE LEASE_GENERATION + 1 END,"
			+ " OWNER = ?, LEASE_EXPIRES_AT = %LEASE_END% WHERE CLIENT_ID = ? AND (OWNER IS NULL OR OWNER = ?"
			+ " OR LEASE_EXPIRES_AT IS NULL OR LEASE_EXPIRES_AT < CURRENT_TIMESTAMP)";

	/**
	 * Extends a lease its owner has held without a break: the generation it took is still
	 * the row's, whether or not the lease ran out meanwhile.
	 */
	private static final String RENEW_LEASE_QUERY = "UPDATE %PREFIX%SESSION SET LEASE_EXPIRES_AT = %LEASE_END%"
			+ " WHERE CLIENT_ID = ? AND OWNER = ? AND LEASE_GENERATION = ?";

	/**
	 * The fence of a leased session's write, its transaction's first statement: locks the
	 * session row, so that a takeover waits for the write, and reads the lease's
	 * generation and owner, which tell whether the lease is still the one the writer
	 * took. Under READ COMMITTED, a row that a takeover changed while the lock was waited
	 * for is read as that takeover left it.
	 */
	private static final String FENCE_QUERY = "SELECT LEASE_GENERATION, OWNER%FENCE_TIMEOUT% FROM %PREFIX%SESSION"
			+ " WHERE CLIENT_ID = ? FOR UPDATE";

	/**
	 * On PostgreSQL the fence also ends the transaction, should its writer stop in it
	 * (paused, or its process frozen) for the given number of milliseconds: the row lock
	 * would otherwise keep the next owner from taking the session over for as long as the
	 * writer's connection lives.
	 */
	private static final String POSTGRES_FENCE_TIMEOUT = ", set_config('idle_in_transaction_session_timeout', ?, true)";

	/**
	 * The limits of a lease's own transaction on PostgreSQL, in milliseconds: how long it
	 * waits for a write of the session under way (a takeover, for the previous owner's),
	 * and how long it may stay idle should its process stop inside it.
	 */
	static final String POSTGRES_LEASE_TIMEOUTS = "SELECT set_config('lock_timeout', ?, true),"
			+ " set_config('idle_in_transaction_session_timeout', ?, true)";

	/** PostgreSQL's SQLSTATE for a lock not obtained within {@code lock_timeout}. */
	static final String POSTGRES_LOCK_NOT_AVAILABLE = "55P03";

	/** The placeholder for the fence's idle-in-transaction timeout. */
	private static final String FENCE_TIMEOUT = "%FENCE_TIMEOUT%";

	/** The placeholder for the end of a lease taken now for a number of milliseconds. */
	private static final String LEASE_END = "%LEASE_END%";

	private static final String POSTGRES_LEASE_END = "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '1 millisecond'";

	private static final String H2_LEASE_END = "DATEADD(MILLISECOND, CAST(? AS BIGINT), CURRENT_TIMESTAMP)";

	private static final String SELECT_LEASE_QUERY = "SELECT OWNER, LEASE_GENERATION FROM %PREFIX%SESSION"
			+ " WHERE CLIENT_ID = ?";

	private static final String RELEASE_LEASE_QUERY = "UPDATE %PREFIX%SESSION SET OWNER = NULL,"
			+ " LEASE_EXPIRES_AT = NULL WHERE CLIENT_ID = ? AND OWNER = ?";

	/** Deletes a session its owner emptied, as it gives up the lease. */
	private static final String DELETE_LEASED_SESSION_QUERY = "DELETE FROM %PREFIX%SESSION WHERE CLIENT_ID = ?"
			+ " AND OWNER = ?";

	private static final String POSTGRES_INSERT_SESSION_IF_ABSENT_QUERY = "INSERT INTO %PREFIX%SESSION"
			+ " (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT) VALUES (?, 0, 0, ?, ?)"
			+ " ON CONFLICT (CLIENT_ID) DO NOTHING";

	private static final String POSTGRES_UPSERT_SUBSCRIPTION_QUERY = "INSERT INTO %PREFIX%SUBSCRIPTION"
			+ " (ID, CLIENT_ID, TOPIC_FILTER, QOS, CONFIGURED, CREATED_AT)"
			+ " VALUES (nextval('%PREFIX%SUBSCRIPTION_SEQ'), ?, ?, ?, ?, ?)"
			+ " ON CONFLICT (CLIENT_ID, TOPIC_FILTER) DO UPDATE SET QOS = EXCLUDED.QOS,"
			+ " CONFIGURED = EXCLUDED.CONFIGURED, CREATED_AT = EXCLUDED.CREATED_AT";

	private static final String POSTGRES_UPSERT_MESSAGE_QUERY = "INSERT INTO %PREFIX%PENDING_MESSAGE (ID, "
			+ MESSAGE_COLUMNS + ") VALUES (nextval('%PREFIX%PENDING_MESSAGE_SEQ'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			+ " ON CONFLICT (CLIENT_ID, STATE, PACKET_ID) DO UPDATE SET TOPIC = EXCLUDED.TOPIC, QOS = EXCLUDED.QOS,"
			+ " RETAINED = EXCLUDED.RETAINED, DUPLICATE = EXCLUDED.DUPLICATE, PROPERTIES = EXCLUDED.PROPERTIES,"
			+ " PAYLOAD = EXCLUDED.PAYLOAD, CREATED_AT = EXCLUDED.CREATED_AT, EXPIRES_AT = EXCLUDED.EXPIRES_AT";

	private static final String H2_INSERT_SESSION_IF_ABSENT_QUERY = "MERGE INTO %PREFIX%SESSION T"
			+ " USING (VALUES (CAST(? AS VARCHAR(1024)))) S(CLIENT_ID) ON T.CLIENT_ID = S.CLIENT_ID"
			+ " WHEN NOT MATCHED THEN INSERT (CLIENT_ID, PACKET_ID, VERSION, CREATED_AT, UPDATED_AT)"
			+ " VALUES (S.CLIENT_ID, 0, 0, ?, ?)";

	private static final String H2_UPSERT_SUBSCRIPTION_QUERY = "MERGE INTO %PREFIX%SUBSCRIPTION T"
			+ " USING (VALUES (CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(1024)), CAST(? AS INTEGER),"
			+ " CAST(? AS BOOLEAN), CAST(? AS TIMESTAMP(6) WITH TIME ZONE)))"
			+ " S(CLIENT_ID, TOPIC_FILTER, QOS, CONFIGURED, CREATED_AT)"
			+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.TOPIC_FILTER = S.TOPIC_FILTER"
			+ " WHEN MATCHED THEN UPDATE SET QOS = S.QOS, CONFIGURED = S.CONFIGURED, CREATED_AT = S.CREATED_AT"
			+ " WHEN NOT MATCHED THEN INSERT (ID, CLIENT_ID, TOPIC_FILTER, QOS, CONFIGURED, CREATED_AT)"
			+ " VALUES (NEXT VALUE FOR %PREFIX%SUBSCRIPTION_SEQ, S.CLIENT_ID, S.TOPIC_FILTER, S.QOS, S.CONFIGURED,"
			+ " S.CREATED_AT)";

	private static final String H2_UPSERT_MESSAGE_QUERY = "MERGE INTO %PREFIX%PENDING_MESSAGE T"
			+ " USING (VALUES (CAST(? AS VARCHAR(1024)), CAST(? AS VARCHAR(20)), CAST(? AS INTEGER),"
			+ " CAST(? AS VARCHAR(65535)), CAST(? AS INTEGER), CAST(? AS BOOLEAN), CAST(? AS BOOLEAN),"
			+ " CAST(? AS VARBINARY), CAST(? AS VARBINARY), CAST(? AS TIMESTAMP(6) WITH TIME ZONE),"
			+ " CAST(? AS TIMESTAMP(6) WITH TIME ZONE))) S(" + MESSAGE_COLUMNS + ")"
			+ " ON T.CLIENT_ID = S.CLIENT_ID AND T.STATE = S.STATE AND T.PACKET_ID = S.PACKET_ID"
			+ " WHEN MATCHED THEN UPDATE SET TOPIC = S.TOPIC, QOS = S.QOS, RETAINED = S.RETAINED,"
			+ " DUPLICATE = S.DUPLICATE, PROPERTIES = S.PROPERTIES, PAYLOAD = S.PAYLOAD, CREATED_AT = S.CREATED_AT,"
			+ " EXPIRES_AT = S.EXPIRES_AT WHEN NOT MATCHED THEN INSERT (ID, " + MESSAGE_COLUMNS + ")"
			+ " VALUES (NEXT VALUE FOR %PREFIX%PENDING_MESSAGE_SEQ, S.CLIENT_ID, S.STATE, S.PACKET_ID, S.TOPIC,"
			+ " S.QOS, S.RETAINED, S.DUPLICATE, S.PROPERTIES, S.PAYLOAD, S.CREATED_AT, S.EXPIRES_AT)";

	/**
	 * Inserts a row whose key is new in the application's transaction: an outbound
	 * message ({@code TRANSACTIONAL_OUTBOX}), or the mark of an inbound message handled
	 * ({@code INBOUND_HANDLED}); a plain INSERT.
	 */
	private static final String POSTGRES_INSERT_PENDING_MESSAGE_QUERY = "INSERT INTO %PREFIX%PENDING_MESSAGE (ID, "
			+ MESSAGE_COLUMNS + ") VALUES (nextval('%PREFIX%PENDING_MESSAGE_SEQ'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	private static final String H2_INSERT_PENDING_MESSAGE_QUERY = "INSERT INTO %PREFIX%PENDING_MESSAGE (ID, "
			+ MESSAGE_COLUMNS
			+ ") VALUES (NEXT VALUE FOR %PREFIX%PENDING_MESSAGE_SEQ, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	final String selectSession;

	final String selectSubscriptions;

	final String selectMessages;

	final String insertSessionIfAbsent;

	final String updateSessionIfVersion;

	final String updatePacketId;

	final String deleteSession;

	final String upsertSubscription;

	final String deleteSubscription;

	final String deleteSubscriptions;

	final String upsertPendingMessage;

	final String deletePendingMessage;

	final String deletePendingMessages;

	final String listSessions;

	final String deleteIdleSessions;

	final String takeLease;

	final String renewLease;

	final String selectLease;

	final String fence;

	/** Whether the fence takes the idle-in-transaction timeout as its first parameter. */
	final boolean fenceSetsTimeout;

	/**
	 * Whether a lease's transaction sets its timeouts first
	 * ({@link #POSTGRES_LEASE_TIMEOUTS}).
	 */
	final boolean leaseSetsTimeouts;

	final String releaseLease;

	final String deleteLeasedSession;

	final String insertPendingMessage;

	/**
	 * The fence without PostgreSQL's idle timeout, for the application's own transaction,
	 * which that timeout would end.
	 */
	final String fenceWithoutTimeout;

	private SessionStoreStatements(String tablePrefix, boolean postgres) {
		this.selectSession = resolve(SELECT_SESSION_QUERY, tablePrefix);
		this.selectSubscriptions = resolve(SELECT_SUBSCRIPTIONS_QUERY, tablePrefix);
		this.selectMessages = resolve(SELECT_MESSAGES_QUERY, tablePrefix);
		this.insertSessionIfAbsent = resolve(
				postgres ? POSTGRES_INSERT_SESSION_IF_ABSENT_QUERY : H2_INSERT_SESSION_IF_ABSENT_QUERY, tablePrefix);
		this.updateSessionIfVersion = resolve(UPDATE_SESSION_IF_VERSION_QUERY, tablePrefix);
		this.updatePacketId = resolve(UPDATE_PACKET_ID_QUERY, tablePrefix);
		this.deleteSession = resolve(DELETE_SESSION_QUERY, tablePrefix);
		this.upsertSubscription = resolve(postgres ? POSTGRES_UPSERT_SUBSCRIPTION_QUERY : H2_UPSERT_SUBSCRIPTION_QUERY,
				tablePrefix);
		this.deleteSubscription = resolve(DELETE_SUBSCRIPTION_QUERY, tablePrefix);
		this.deleteSubscriptions = resolve(DELETE_SUBSCRIPTIONS_QUERY, tablePrefix);
		this.upsertPendingMessage = resolve(postgres ? POSTGRES_UPSERT_MESSAGE_QUERY : H2_UPSERT_MESSAGE_QUERY,
				tablePrefix);
		this.deletePendingMessage = resolve(DELETE_MESSAGE_QUERY, tablePrefix);
		this.deletePendingMessages = resolve(DELETE_MESSAGES_QUERY, tablePrefix);
		this.listSessions = resolve(LIST_SESSIONS_QUERY, tablePrefix);
		this.deleteIdleSessions = resolve(DELETE_IDLE_SESSIONS_QUERY, tablePrefix);
		String leaseEnd = postgres ? POSTGRES_LEASE_END : H2_LEASE_END;
		this.takeLease = resolve(TAKE_LEASE_QUERY, tablePrefix).replace(LEASE_END, leaseEnd);
		this.renewLease = resolve(RENEW_LEASE_QUERY, tablePrefix).replace(LEASE_END, leaseEnd);
		this.selectLease = resolve(SELECT_LEASE_QUERY, tablePrefix);
		this.fence = resolve(FENCE_QUERY, tablePrefix).replace(FENCE_TIMEOUT, postgres ? POSTGRES_FENCE_TIMEOUT : "");
		this.fenceSetsTimeout = postgres;
		this.leaseSetsTimeouts = postgres;
		this.releaseLease = resolve(RELEASE_LEASE_QUERY, tablePrefix);
		this.deleteLeasedSession = resolve(DELETE_LEASED_SESSION_QUERY, tablePrefix);
		this.insertPendingMessage = resolve(
				postgres ? POSTGRES_INSERT_PENDING_MESSAGE_QUERY : H2_INSERT_PENDING_MESSAGE_QUERY, tablePrefix);
		this.fenceWithoutTimeout = resolve(FENCE_QUERY, tablePrefix).replace(FENCE_TIMEOUT, "");
	}

	/**
	 * The statements for a database, by the product name its JDBC driver reports.
	 * @param databaseProductName the database product name
	 * @param tablePrefix the table prefix
	 * @return the statements
	 * @throws IllegalStateException for a database the store does not support
	 */
	static SessionStoreStatements forDatabase(String databaseProductName, String tablePrefix) {
		if (!supports(databaseProductName)) {
			throw new IllegalStateException(
					"The JPA session store supports " + SUPPORTED_DATABASES + ", but the DataSource is "
							+ databaseProductName + "; supply a SessionStore bean of your own for other databases");
		}
		return new SessionStoreStatements(tablePrefix, isPostgres(databaseProductName));
	}

	/**
	 * Whether the store has statements for a database.
	 * @param databaseProductName the database product name its JDBC driver reports
	 * @return whether it is H2 or PostgreSQL
	 */
	static boolean supports(String databaseProductName) {
		return isPostgres(databaseProductName) || databaseProductName.toLowerCase(Locale.ROOT).contains("h2");
	}

	private static boolean isPostgres(String databaseProductName) {
		return databaseProductName.toLowerCase(Locale.ROOT).contains("postgres");
	}

	private static String resolve(String template, String tablePrefix) {
		return template.replace(PREFIX, tablePrefix);
	}

}
