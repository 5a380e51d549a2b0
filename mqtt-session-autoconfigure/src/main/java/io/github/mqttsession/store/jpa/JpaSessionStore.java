package io.github.mqttsession.store.jpa;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import io.github.mqttsession.store.MqttNames;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.PendingMessageChange;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreException;
import io.github.mqttsession.store.SessionSummary;
import io.github.mqttsession.store.Subscription;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import org.hibernate.Session;
import org.hibernate.cfg.AvailableSettings;
import org.hibernate.cfg.Configuration;

/**
 * A {@link SessionStore} in relational tables ({@code MQTT_SESSION}, {@code MQTT_SUBSCRIPTION},
 * {@code MQTT_PENDING_MESSAGE}) on H2 or PostgreSQL, through JPA.
 * <p>
 * The store runs its own small persistence unit on the given {@link DataSource}, holding only its three entities:
 * the application's persistence unit, its scanning, naming and {@code ddl-auto} stay as they are, and every store
 * write runs in a transaction of its own, never joined to a caller's. At construction the store checks that its
 * tables exist and validates them against its entities.
 * <p>
 * Fine-grained operations write one row: adding a pending message is one INSERT (an upsert) and removing it one
 * DELETE, neither touching the session row. A whole-session {@link #save} writes the session row and the rows that
 * differ from the session this thread last loaded or saved for the client id, held weakly while the caller holds
 * it, or else from the stored session. When another writer saved the session, changed its packet id or deleted it
 * since (the row's version tells), the save fails with a {@link SessionStoreException} rather than overwrite that
 * change; rows the save does not change are left as they are. A save with no earlier load on the thread
 * overwrites whatever is stored.
 */
public class JpaSessionStore implements SessionStore, AutoCloseable {

	/** The table prefix used unless another is configured. */
	public static final String DEFAULT_TABLE_PREFIX = "MQTT_";

	/** The longest client id this store accepts, in UTF-8 bytes: a PostgreSQL index entry must fit a page. */
	public static final int MAX_CLIENT_ID_BYTES = 1024;

	/** The longest topic filter this store accepts, in UTF-8 bytes, for the same reason. */
	public static final int MAX_TOPIC_FILTER_BYTES = 1024;

	private static final Pattern TABLE_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,29}");

	private static final List<String> TABLES = List.of("SESSION", "SUBSCRIPTION", "PENDING_MESSAGE");

	private final EntityManagerFactory entityManagerFactory;

	private final SessionStoreStatements statements;

	private final SessionWrites writes;

	private final SessionRows sessionRows;

	private final Clock clock;

	/** Whether each transaction must ask PostgreSQL for a synchronous commit, which the database does not default to. */
	private final boolean forceSynchronousCommit;

	/** Client ids whose session row this store has seen or written, so that adds skip the row's upsert. */
	private final Set<String> knownSessions = ConcurrentHashMap.newKeySet();

	/** Per thread, the session it last loaded or saved per client id: the base of its next save. */
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
	 * @param tablePrefix the prefix of the table and sequence names, {@code MQTT_} by default
	 * @param clock the clock that stamps each change
	 */
	public JpaSessionStore(DataSource dataSource, String tablePrefix, Clock clock) {
		requireValidTablePrefix(tablePrefix);
		this.clock = clock;
		String databaseProductName = checkTables(dataSource, tablePrefix);
		this.statements = SessionStoreStatements.forDatabase(databaseProductName, tablePrefix);
		this.forceSynchronousCommit = DurableCommits.ensure(dataSource, databaseProductName);
		this.sessionRows = new SessionRows(dataSource, tablePrefix);
		this.writes = new SessionWrites(dataSource, this.statements, this.sessionRows, this.forceSynchronousCommit);
		this.entityManagerFactory = buildEntityManagerFactory(dataSource, tablePrefix);
	}

	/**
	 * Checks a table prefix: a letter, then letters, digits or underscores, 30 characters at most.
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
		Optional<SessionRows.Stored> stored;
		try {
			stored = this.sessionRows.read(clientId);
		}
		catch (SQLException | RuntimeException ex) {
			throw new SessionStoreException("Could not load the session for client '" + clientId + "': "
					+ rootMessage(ex), ex);
		}
		stored.ifPresentOrElse((loaded) -> remember(clientId, loaded.session(), loaded.version()),
				() -> forget(clientId));
		return stored.map(SessionRows.Stored::session);
	}

	@Override
	public void save(String clientId, MqttSession session) {
		requireValidClientId(clientId);
		session.subscriptions().forEach((subscription) -> requireValidTopicFilter(subscription.topicFilter()));
		long version;
		try {
			version = this.writes.save(clientId, session, this.readSessions.get().get(clientId), this.clock.instant());
		}
		catch (SessionStoreException ex) {
			throw ex;
		}
		catch (SQLException | RuntimeException ex) {
			throw new SessionStoreException("Could not save the session for client '" + clientId + "': "
					+ rootMessage(ex), ex);
		}
		this.knownSessions.add(clientId);
		remember(clientId, session, version);
	}

	@Override
	public void delete(String clientId) {
		requireValidClientId(clientId);
		inTransaction(clientId, "delete the session", (entityManager) -> entityManager
			.createQuery("delete from SessionEntity s where s.clientId = :clientId")
			.setParameter("clientId", clientId)
			.executeUpdate());
		this.knownSessions.remove(clientId);
		forget(clientId);
	}

	@Override
	public void addSubscription(String clientId, Subscription subscription) {
		requireValidTopicFilter(subscription.topicFilter());
		update(clientId, "add subscription '" + subscription.topicFilter() + "'", (entityManager) -> jdbc(entityManager,
				(connection) -> execute(connection, this.statements.upsertSubscription,
						(statement) -> SessionWrites.bindSubscription(statement, clientId, subscription, this.clock.instant()))));
	}

	@Override
	public void removeSubscription(String clientId, String topicFilter) {
		requireValidClientId(clientId);
		inTransaction(clientId, "remove subscription '" + topicFilter + "'", (entityManager) -> entityManager
			.createQuery("delete from SubscriptionEntity s where s.clientId = :clientId and s.topicFilter = :filter")
			.setParameter("clientId", clientId)
			.setParameter("filter", topicFilter)
			.executeUpdate());
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
	 * Writes the changes over JDBC in one transaction with one commit, consecutive changes of a kind as one batch;
	 * the session row is created first only when a message is added to a session this store has not seen.
	 */
	@Override
	public void applyPendingMessageChanges(String clientId, List<PendingMessageChange> changes) {
		requireValidClientId(clientId);
		if (changes.isEmpty()) {
			return;
		}
		boolean adds = PendingMessageChange.addsAny(changes);
		boolean createSession = adds && !this.knownSessions.contains(clientId);
		try {
			this.writes.write(clientId, changes, this.clock.instant(), createSession);
		}
		catch (SQLException | RuntimeException ex) {
			// The row may have been deleted by another instance: create it again next time.
			this.knownSessions.remove(clientId);
			throw new SessionStoreException("Could not " + describe(changes) + " for client '" + clientId + "': "
					+ rootMessage(ex), ex);
		}
		if (adds) {
			this.knownSessions.add(clientId);
		}
	}

	private static String describe(List<PendingMessageChange> changes) {
		if (changes.size() == 1) {
			return describe(changes.get(0));
		}
		if (changes.size() == 2) {
			return describe(changes.get(0)) + " and " + describe(changes.get(1));
		}
		return "write " + changes.size() + " changes to pending messages, starting with " + describe(changes.get(0));
	}

	private static String describe(PendingMessageChange change) {
		if (change instanceof PendingMessageChange.Added added) {
			return "add pending message " + added.message().state() + " #" + added.message().packetId();
		}
		PendingMessageChange.Removed removed = (PendingMessageChange.Removed) change;
		return "remove pending message " + removed.state() + " #" + removed.packetId();
	}

	@Override
	public void setPacketId(String clientId, int packetId) {
		MqttNames.requireValidSessionPacketId(packetId);
		update(clientId, "set packet id " + packetId, (entityManager) -> entityManager
			.createQuery("update SessionEntity s set s.packetId = :packetId, s.updatedAt = :now, s.version = s.version + 1"
					+ " where s.clientId = :clientId")
			.setParameter("packetId", packetId)
			.setParameter("now", this.clock.instant())
			.setParameter("clientId", clientId)
			.executeUpdate());
	}

	@Override
	public List<SessionSummary> listSessions() {
		return inTransaction("*", "list sessions", (entityManager) -> {
			List<Object[]> rows = entityManager.createQuery("select s.clientId, s.packetId, s.updatedAt, s.owner, s.leaseExpiresAt,"
					+ " (select count(b) from SubscriptionEntity b where b.clientId = s.clientId),"
					+ " (select count(m) from PendingMessageEntity m where m.clientId = s.clientId),"
					+ " (select max(b.createdAt) from SubscriptionEntity b where b.clientId = s.clientId),"
					+ " (select max(m.createdAt) from PendingMessageEntity m where m.clientId = s.clientId)"
					+ " from SessionEntity s order by s.clientId", Object[].class).getResultList();
			List<SessionSummary> summaries = new ArrayList<>(rows.size());
			for (Object[] row : rows) {
				Instant lastUpdated = latest((Instant) row[2], (Instant) row[7], (Instant) row[8]);
				summaries.add(new SessionSummary((String) row[0], ((Number) row[5]).intValue(),
						((Number) row[6]).intValue(), (Integer) row[1], lastUpdated, (String) row[3], (Instant) row[4]));
			}
			return summaries;
		});
	}

	@Override
	public int deleteSessionsIdleSince(Instant cutoff) {
		int deleted = inTransaction("*", "delete sessions idle since " + cutoff, (entityManager) -> entityManager
			.createQuery("delete from SessionEntity s where s.updatedAt < :cutoff"
					+ " and (s.leaseExpiresAt is null or s.leaseExpiresAt < :now)"
					+ " and not exists (select 1 from PendingMessageEntity m"
					+ " where m.clientId = s.clientId and m.createdAt >= :cutoff)"
					+ " and not exists (select 1 from SubscriptionEntity b"
					+ " where b.clientId = s.clientId and b.createdAt >= :cutoff)")
			.setParameter("cutoff", cutoff)
			.setParameter("now", this.clock.instant())
			.executeUpdate());
		this.knownSessions.clear();
		return deleted;
	}

	@Override
	public Optional<String> acquireLease(String clientId, String owner, Instant until) {
		requireValidClientId(clientId);
		Optional<String> other = inTransaction(clientId, "take the lease for " + owner, (entityManager) -> {
			Instant now = this.clock.instant();
			jdbc(entityManager, (connection) -> this.writes.insertSessionIfAbsent(connection, clientId, now));
			int taken = entityManager
				.createQuery("update SessionEntity s set s.owner = :owner, s.leaseExpiresAt = :until"
						+ " where s.clientId = :clientId and (s.owner is null or s.owner = :owner"
						+ " or s.leaseExpiresAt is null or s.leaseExpiresAt < :now)")
				.setParameter("owner", owner)
				.setParameter("until", until)
				.setParameter("clientId", clientId)
				.setParameter("now", now)
				.executeUpdate();
			if (taken == 1) {
				return Optional.<String>empty();
			}
			return Optional.of(entityManager
				.createQuery("select s.owner from SessionEntity s where s.clientId = :clientId", String.class)
				.setParameter("clientId", clientId)
				.getSingleResult());
		});
		this.knownSessions.add(clientId);
		return other;
	}

	@Override
	public void releaseLease(String clientId, String owner) {
		requireValidClientId(clientId);
		inTransaction(clientId, "give up the lease of " + owner, (entityManager) -> entityManager
			.createQuery("update SessionEntity s set s.owner = null, s.leaseExpiresAt = null"
					+ " where s.clientId = :clientId and s.owner = :owner")
			.setParameter("clientId", clientId)
			.setParameter("owner", owner)
			.executeUpdate());
	}

	/** Closes the store's persistence unit; the stored data stays. */
	@Override
	public void close() {
		this.entityManagerFactory.close();
	}

	/**
	 * Runs a write that needs the session row, creating the row first when this store has not seen it.
	 */
	private void update(String clientId, String action, Consumer<EntityManager> work) {
		requireValidClientId(clientId);
		boolean known = this.knownSessions.contains(clientId);
		try {
			inTransaction(clientId, action, (entityManager) -> {
				if (!known) {
					Instant now = this.clock.instant();
					jdbc(entityManager, (connection) -> this.writes.insertSessionIfAbsent(connection, clientId, now));
				}
				work.accept(entityManager);
				return null;
			});
			this.knownSessions.add(clientId);
		}
		catch (SessionStoreException ex) {
			// The row may have been deleted by another instance: create it again next time.
			this.knownSessions.remove(clientId);
			throw ex;
		}
	}

	private <T> T inTransaction(String clientId, String action, Function<EntityManager, T> work) {
		try {
			EntityManager entityManager = this.entityManagerFactory.createEntityManager();
			try {
				EntityTransaction transaction = entityManager.getTransaction();
				try {
					transaction.begin();
					if (this.forceSynchronousCommit) {
						jdbc(entityManager, (connection) -> execute(connection, DurableCommits.SYNCHRONOUS_COMMIT, (statement) -> {
						}));
					}
					T result = work.apply(entityManager);
					transaction.commit();
					return result;
				}
				catch (RuntimeException ex) {
					rollback(transaction);
					throw ex;
				}
			}
			finally {
				entityManager.close();
			}
		}
		catch (SessionStoreException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throw failure(clientId, action, ex);
		}
	}

	private static void rollback(EntityTransaction transaction) {
		try {
			if (transaction.isActive()) {
				transaction.rollback();
			}
		}
		catch (RuntimeException ex) {
			// The original failure is the one worth reporting.
		}
	}

	private static SessionStoreException failure(String clientId, String action, RuntimeException ex) {
		String subject = "*".equals(clientId) ? "" : " for client '" + clientId + "'";
		if (ex instanceof jakarta.persistence.OptimisticLockException) {
			return new SessionStoreException("Could not " + action + subject
					+ ": another writer saved the session at the same time; load it again and retry", ex);
		}
		return new SessionStoreException("Could not " + action + subject + ": " + rootMessage(ex), ex);
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getName();
	}

	private void remember(String clientId, MqttSession session, long version) {
		this.readSessions.get().put(clientId, KnownSession.of(session, version));
	}

	private void forget(String clientId) {
		this.readSessions.get().remove(clientId);
	}

	private static void jdbc(EntityManager entityManager, JdbcWork work) {
		entityManager.unwrap(Session.class).doWork(work::execute);
	}

	private static void execute(Connection connection, String sql, Binder binder) throws SQLException {
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			binder.bind(statement);
			statement.executeUpdate();
		}
	}

	private static Instant latest(Instant... instants) {
		Instant latest = null;
		for (Instant instant : instants) {
			if (instant != null && (latest == null || instant.isAfter(latest))) {
				latest = instant;
			}
		}
		return latest;
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

	/**
	 * Checks that the store's tables exist, with a message that says how to create them.
	 * @return the database product name
	 */
	private static String checkTables(DataSource dataSource, String tablePrefix) {
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
							+ ".sql (with " + DEFAULT_TABLE_PREFIX + " replaced by " + tablePrefix
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

	private static EntityManagerFactory buildEntityManagerFactory(DataSource dataSource, String tablePrefix) {
		Configuration configuration = new Configuration();
		configuration.addAnnotatedClass(SessionEntity.class);
		configuration.addAnnotatedClass(SubscriptionEntity.class);
		configuration.addAnnotatedClass(PendingMessageEntity.class);
		configuration.setPhysicalNamingStrategy(new TablePrefixNamingStrategy(tablePrefix));
		configuration.getProperties().put(AvailableSettings.DATASOURCE, dataSource);
		configuration.setProperty(AvailableSettings.HBM2DDL_AUTO, "validate");
		configuration.setProperty(AvailableSettings.STATEMENT_BATCH_SIZE, "100");
		configuration.setProperty(AvailableSettings.ORDER_UPDATES, "true");
		configuration.setProperty(AvailableSettings.PERSISTENCE_UNIT_NAME, "mqtt-session");
		try {
			return configuration.buildSessionFactory();
		}
		catch (RuntimeException ex) {
			throw new SessionStoreException("The tables of the JPA session store do not match what it expects: "
					+ rootMessage(ex), ex);
		}
	}

	@FunctionalInterface
	private interface JdbcWork {

		void execute(Connection connection) throws SQLException;

	}

	@FunctionalInterface
	private interface Binder {

		void bind(PreparedStatement statement) throws SQLException;

	}

}
