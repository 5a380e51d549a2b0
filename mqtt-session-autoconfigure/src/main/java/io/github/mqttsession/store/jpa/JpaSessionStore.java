package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.SessionStoreFeature;
import io.github.mqttsession.store.SessionStoreLimits;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.TransactionalInbox;
import io.github.mqttsession.store.TransactionalOutbox;
import jakarta.persistence.EntityManagerFactory;

/**
 * A {@link SessionStore} in relational tables ({@code MQTT_SESSION},
 * {@code MQTT_SUBSCRIPTION}, {@code MQTT_PENDING_MESSAGE}) on H2 or PostgreSQL, described
 * by JPA entities.
 * <p>
 * The store runs its own small persistence unit on the given {@link DataSource}, holding
 * only its three entities: the application's persistence unit, its scanning, naming and
 * {@code ddl-auto} stay as they are. At construction the store checks that its tables
 * exist and validates them against its entities. It then reads and writes over plain JDBC
 * beneath the entities, with the statements of {@code SessionStoreStatements}, every
 * store write in a transaction of its own, never joined to a caller's.
 * <p>
 * Fine-grained operations write one row: adding a pending message is one INSERT (an
 * upsert) and removing it one DELETE, neither touching the session row. A whole-session
 * {@link #save} writes the session row and the rows that differ from the session this
 * thread last loaded or saved for the client id, held weakly while the caller holds it,
 * or else from the stored session. When another writer saved the session, changed its
 * packet id or deleted it since (the row's version tells), the save fails with a
 * {@link SessionStoreException} rather than overwrite that change; rows the save does not
 * change are left as they are. A save with no earlier load on the thread overwrites
 * whatever is stored.
 * <p>
 * The store has every optional feature: it lists sessions, deletes idle ones in one
 * DELETE and leases them. Every write of a session it holds a lease on is fenced by the
 * lease: the write's transaction first locks the session row and checks the lease's
 * generation, which a takeover counts up, and fails with a
 * {@link io.github.mqttsession.store.SessionLeaseLostException} once another instance
 * took the session over. Deleting a session it holds a lease on empties it and keeps its
 * row, which holds the lease. A lease's end is reckoned and compared on the database's
 * clock ({@code CURRENT_TIMESTAMP}), which every instance shares, so that an instance
 * whose own clock is off neither takes another's live lease nor loses its own; the
 * store's clock stamps changes only. It states its limits on client ids and topic filters
 * ({@link SessionStoreLimits}). It writes outbound messages, and records that inbound
 * ones were handled, in the application's own transactions on its DataSource
 * ({@link TransactionalOutbox}, {@link TransactionalInbox}, asked for with
 * {@link #feature(Class)}).
 */
public class JpaSessionStore
		implements SessionStore, SessionListing, IdleSessionCleanup, SessionLeasing, SessionStoreLimits, AutoCloseable {

	/** The table prefix used unless another is configured. */
	public static final String DEFAULT_TABLE_PREFIX = "MQTT_";

	/**
	 * The longest client id this store accepts, in UTF-8 bytes: a PostgreSQL index entry
	 * must fit a page.
	 */
	public static final int MAX_CLIENT_ID_BYTES = 1024;

	/**
	 * The longest topic filter this store accepts, in UTF-8 bytes, for the same reason.
	 */
	public static final int MAX_TOPIC_FILTER_BYTES = 1024;

	private static final Pattern TABLE_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

	/**
	 * The store's own persistence unit: it validated the tables against the entities and
	 * is closed with the store.
	 */
	private final EntityManagerFactory entityManagerFactory;

	private final SessionRows rows;

	private final SessionSave wholeSessions;

	private final SessionWrites writes;

	private final AllSessions allSessions;

	private final SessionLeases leases;

	/** The writes in the application's own transactions. */
	private final JpaApplicationTransactions applicationTransactions;

	private final Clock clock;

	/**
	 * Client ids whose session row this store has seen or written, so that adds skip the
	 * row's upsert.
	 */
	private final Set<String> knownSessions = ConcurrentHashMap.newKeySet();

	/**
	 * Per thread, the session it last loaded or saved per client id: the base of its next
	 * save.
	 */
	private final ThreadLocal<Map<String, KnownSession>> readSessions = ThreadLocal.withInitial(HashMap::new);

	/**
	 * Creates a store on the default tables.
	 * @param dataSource the database
	 */
	public JpaSessionStore(DataSource dataSource) {
		this(dataSource, DEFAULT_TABLE_PREFIX, Clock.systemUTC());
	}

	/**
	 * Creates a store.
	 * @param dataSource the database
	 * @param tablePrefix the prefix of the table and sequence names, {@code MQTT_} by
	 * default
	 * @param clock the clock that stamps each change
	 */
	public JpaSessionStore(DataSource dataSource, String tablePrefix, Clock clock) {
		requireValidTablePrefix(tablePrefix);
		this.clock = clock;
		String databaseProductName = requireSupportedDatabase(dataSource);
		StoreSchema.checkTables(dataSource, tablePrefix);
		SessionStoreStatements statements = SessionStoreStatements.forDatabase(databaseProductName, tablePrefix);
		SessionFences fences = new SessionFences(statements);
		JdbcTransactions transactions = new JdbcTransactions(dataSource,
				DurableCommits.ensure(dataSource, databaseProductName), fences);
		this.rows = new SessionRows(transactions, statements);
		this.wholeSessions = new SessionSave(transactions, statements, this.rows);
		this.writes = new SessionWrites(transactions, statements, fences);
		this.allSessions = new AllSessions(transactions, statements);
		this.leases = new SessionLeases(transactions, statements, fences);
		this.applicationTransactions = new JpaApplicationTransactions(dataSource, statements, fences, clock);
		this.entityManagerFactory = StoreSchema.validate(dataSource, tablePrefix);
	}

	/**
	 * Checks that the store supports the database, H2 or PostgreSQL.
	 * @param dataSource the database
	 * @return the database product name its JDBC driver reports
	 * @throws SessionStoreException naming the database when the store does not support
	 * it, or when the database cannot be reached
	 */
	public static String requireSupportedDatabase(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			String product = metaData.getDatabaseProductName();
			if (!SessionStoreStatements.supports(product)) {
				throw new SessionStoreException("The JPA session store supports "
						+ SessionStoreStatements.SUPPORTED_DATABASES + ", but the DataSource at " + metaData.getURL()
						+ " is " + product + " " + metaData.getDatabaseProductVersion());
			}
			return product;
		}
		catch (SQLException ex) {
			throw new SessionStoreException("Could not reach the database of the JPA session store: " + ex.getMessage(),
					ex);
		}
	}

	/**
	 * Checks a table prefix: a letter, then letters, digits or underscores, 30 characters
	 * at most.
	 * @param tablePrefix the prefix
	 * @return the prefix
	 */
	public static String requireValidTablePrefix(String tablePrefix) {
		if (tablePrefix == null || !TABLE_PREFIX.matcher(tablePrefix).matches()) {
			throw new IllegalArgumentException("Table prefix '" + tablePrefix
					+ "' is not valid; it must start with a letter and hold only letters, digits and underscores,"
					+ " at most 30 characters, such as 'MQTT_'");
		}
		return tablePrefix;
	}

	@Override
	public Optional<MqttSession> load(String clientId) {
		requireValidClientId(clientId);
		Optional<SessionRows.Stored> stored = this.rows.read(clientId);
		stored.ifPresentOrElse((loaded) -> remember(clientId, loaded.session(), loaded.version()),
				() -> forget(clientId));
		return stored.map(SessionRows.Stored::session);
	}

	@Override
	public void save(String clientId, MqttSession session) {
		requireValidClientId(clientId);
		session.subscriptions().forEach((subscription) -> requireValidTopicFilter(subscription.topicFilter()));
		long version = this.wholeSessions.save(clientId, session, this.readSessions.get().get(clientId),
				this.clock.instant());
		this.knownSessions.add(clientId);
		remember(clientId, session, version);
	}

	@Override
	public void delete(String clientId) {
		requireValidClientId(clientId);
		this.writes.delete(clientId, this.clock.instant());
		this.knownSessions.remove(clientId);
		forget(clientId);
	}

	@Override
	public void addSubscription(String clientId, Subscription subscription) {
		requireValidTopicFilter(subscription.topicFilter());
		requireValidClientId(clientId);
		writeCreatingTheSession(clientId, true, (createSession) -> this.writes.addSubscription(clientId, subscription,
				this.clock.instant(), createSession));
	}

	@Override
	public void removeSubscription(String clientId, String topicFilter) {
		requireValidClientId(clientId);
		this.writes.removeSubscription(clientId, topicFilter);
	}

	@Override
	public void addPendingMessage(String clientId, PendingMessage message) {
		applyPendingMessageChanges(clientId, List.of(new PendingMessageChange.Added(message)));
	}

	@Override
	public void removePendingMessage(String clientId, PendingMessage.State state, int packetId) {
		applyPendingMessageChanges(clientId, List.of(new PendingMessageChange.Removed(state, packetId)));
	}

	@Override
	public void replacePendingMessage(String clientId, PendingMessage.State state, int packetId,
			PendingMessage replacement) {
		applyPendingMessageChanges(clientId, List.of(new PendingMessageChange.Removed(state, packetId),
				new PendingMessageChange.Added(replacement)));
	}

	/**
	 * Writes the changes over JDBC in one transaction with one commit, consecutive
	 * changes of a kind as one batch; the session row is created first only when a
	 * message is added to a session this store has not seen.
	 */
	@Override
	public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		requireValidClientId(clientId);
		if (changes.isEmpty()) {
			return;
		}
		writeCreatingTheSession(clientId, PendingMessageChange.addsAny(changes), (createSession) -> this.writes
			.writePendingMessages(clientId, changes, this.clock.instant(), createSession));
	}

	@Override
	public void setPacketId(String clientId, int packetId) {
		MqttNames.requireValidSessionPacketId(packetId);
		requireValidClientId(clientId);
		writeCreatingTheSession(clientId, true,
				(createSession) -> this.writes.setPacketId(clientId, packetId, this.clock.instant(), createSession));
	}

	@Override
	public List<SessionSummary> listSessions() {
		return this.allSessions.list();
	}

	/** The database's current time, on which this store reckons leases. */
	@Override
	public Instant currentTime() {
		return this.allSessions.currentTime();
	}

	@Override
	public int deleteSessionsIdleSince(Instant cutoff) {
		int deleted = this.allSessions.deleteIdleSince(cutoff);
		this.knownSessions.clear();
		return deleted;
	}

	@Override
	public Optional<String> acquireLease(String clientId, String owner, Duration duration) {
		requireValidClientId(clientId);
		SessionLeasing.requireValidOwner(owner);
		SessionLeasing.requireValidDuration(duration);
		Optional<String> other = this.leases.acquire(clientId, owner, duration, this.clock.instant());
		this.knownSessions.add(clientId);
		return other;
	}

	@Override
	public void renewLease(String clientId, String owner, Duration duration) {
		requireValidClientId(clientId);
		SessionLeasing.requireValidOwner(owner);
		SessionLeasing.requireValidDuration(duration);
		this.leases.renew(clientId, owner, duration, this.clock.instant());
	}

	@Override
	public void releaseLease(String clientId, String owner) {
		requireValidClientId(clientId);
		this.leases.release(clientId, owner);
	}

	/** Closes the store's persistence unit; the stored data stays. */
	@Override
	public void close() {
		this.entityManagerFactory.close();
	}

	/**
	 * Runs a write that may need the session row: the write creates it first when it
	 * needs it and this store has not seen it.
	 * @param needsSession whether the write needs the row: it adds a row that refers to
	 * it, or updates it
	 */
	private void writeCreatingTheSession(String clientId, boolean needsSession, SessionRowWrite write) {
		try {
			write.run(needsSession && !this.knownSessions.contains(clientId));
		}
		catch (SessionStoreException ex) {
			// The row may have been deleted by another instance: create it again next
			// time.
			this.knownSessions.remove(clientId);
			throw ex;
		}
		if (needsSession) {
			this.knownSessions.add(clientId);
		}
	}

	private void remember(String clientId, MqttSession session, long version) {
		this.readSessions.get().put(clientId, KnownSession.of(session, version));
	}

	private void forget(String clientId) {
		this.readSessions.get().remove(clientId);
	}

	/**
	 * This store's features: those it implements, and the writes in the application's
	 * transactions ({@link TransactionalOutbox}, {@link TransactionalInbox}).
	 * @param <F> the feature's type
	 * @param type the feature's interface
	 * @return the feature, or empty when the store does not have it
	 */
	@Override
	public <F extends SessionStoreFeature> Optional<F> feature(Class<F> type) {
		if (type == TransactionalOutbox.class || type == TransactionalInbox.class) {
			return Optional.of(type.cast(this.applicationTransactions));
		}
		return SessionStore.super.feature(type);
	}

	/**
	 * The longest client id this store accepts: {@value #MAX_CLIENT_ID_BYTES} UTF-8
	 * bytes.
	 * @return the limit in UTF-8 bytes
	 */
	@Override
	public int maxClientIdBytes() {
		return MAX_CLIENT_ID_BYTES;
	}

	/**
	 * The longest topic filter this store accepts: {@value #MAX_TOPIC_FILTER_BYTES} UTF-8
	 * bytes.
	 * @return the limit in UTF-8 bytes
	 */
	@Override
	public int maxTopicFilterBytes() {
		return MAX_TOPIC_FILTER_BYTES;
	}

	private static void requireValidClientId(String clientId) {
		MqttNames.requireValidClientId(clientId);
		int length = MqttNames.utf8Length(clientId);
		if (length > MAX_CLIENT_ID_BYTES) {
			throw new IllegalArgumentException("Client id '" + clientId.substring(0, 60) + "…' is " + length
					+ " UTF-8 bytes long; the JPA session store accepts at most " + MAX_CLIENT_ID_BYTES
					+ " bytes (the size of a PostgreSQL index entry)");
		}
	}

	private static void requireValidTopicFilter(String topicFilter) {
		int length = MqttNames.utf8Length(topicFilter);
		if (length > MAX_TOPIC_FILTER_BYTES) {
			throw new IllegalArgumentException("Topic filter '" + topicFilter.substring(0, 60) + "…' is " + length
					+ " UTF-8 bytes long; the JPA session store accepts at most " + MAX_TOPIC_FILTER_BYTES
					+ " bytes (the size of a PostgreSQL index entry)");
		}
	}

	/** A write told whether to create the session row first. */
	@FunctionalInterface
	private interface SessionRowWrite {

		void run(boolean createSession);

	}

}
