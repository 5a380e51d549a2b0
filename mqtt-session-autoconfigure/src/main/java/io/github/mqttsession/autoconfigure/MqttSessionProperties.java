package io.github.mqttsession.autoconfigure;

import java.time.Duration;

import io.github.mqttsession.persistence.OverflowPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Settings of the session store, under {@code mqtt.session}.
 */
@ConfigurationProperties("mqtt.session")
public class MqttSessionProperties {

	/**
	 * Where sessions are stored: 'auto' uses JPA when Hibernate and a DataSource are
	 * present and memory otherwise, 'memory' keeps them in the heap (lost on restart),
	 * 'jpa' in database tables (fails at start-up without a DataSource).
	 */
	private StoreType store = StoreType.AUTO;

	/**
	 * Most pending messages a session holds (1..65535). Publishing beyond it while the
	 * broker is unreachable triggers the overflow policy.
	 */
	private int maxPendingMessages = 10_000;

	/**
	 * What happens to a publish beyond max-pending-messages: 'reject' fails it and stores
	 * nothing, 'drop-oldest' discards the oldest message never sent, with a warning.
	 */
	private OverflowPolicy overflow = OverflowPolicy.REJECT;

	/**
	 * Delete sessions not updated for longer than this, and not leased by a running
	 * instance. Needs a store that implements IdleSessionCleanup. Unset: sessions are
	 * kept until deleted.
	 */
	private Duration expiry;

	/**
	 * How often the cleanup deleting expired sessions runs, when mqtt.session.expiry is
	 * set.
	 */
	private Duration cleanupInterval = Duration.ofHours(1);

	private final Lease lease = new Lease();

	private final Jpa jpa = new Jpa();

	public Duration getExpiry() {
		return this.expiry;
	}

	public void setExpiry(Duration expiry) {
		this.expiry = expiry;
	}

	public Duration getCleanupInterval() {
		return this.cleanupInterval;
	}

	public void setCleanupInterval(Duration cleanupInterval) {
		this.cleanupInterval = cleanupInterval;
	}

	public Lease getLease() {
		return this.lease;
	}

	public int getMaxPendingMessages() {
		return this.maxPendingMessages;
	}

	public void setMaxPendingMessages(int maxPendingMessages) {
		this.maxPendingMessages = maxPendingMessages;
	}

	public OverflowPolicy getOverflow() {
		return this.overflow;
	}

	public void setOverflow(OverflowPolicy overflow) {
		this.overflow = overflow;
	}

	public StoreType getStore() {
		return this.store;
	}

	public void setStore(StoreType store) {
		this.store = store;
	}

	public Jpa getJpa() {
		return this.jpa;
	}

	/** Where sessions are stored. */
	public enum StoreType {

		/** JPA when Hibernate and a DataSource are present, memory otherwise. */
		AUTO,

		/** In the heap of the process; lost on restart. */
		MEMORY,

		/** In database tables through JPA (H2 or PostgreSQL). */
		JPA

	}

	/** One owner per client id among instances sharing a store. */
	public static class Lease {

		/**
		 * Whether a client holds a lease on its session in the store while it runs, so
		 * that a second instance with the same client id is refused instead of fighting
		 * over the session. On a store that does not implement SessionLeasing the client
		 * runs without one, and says so once.
		 */
		private boolean enabled = true;

		/**
		 * Name of this instance in leases, at most 255 characters; instances with the
		 * same name count as one. Defaults to 'host:pid@startEpochMillis', which tells
		 * every running process apart and lets an instance restarted on the same host
		 * take its session back at once from the process that no longer runs.
		 */
		private String owner;

		/**
		 * How long a lease lasts unless renewed; a running client renews it at a third of
		 * this. After a crash, another instance may take the session over once it has run
		 * out.
		 */
		private Duration duration = Duration.ofSeconds(30);

		/**
		 * Whether an instance that finds a live lease of another waits for it to run out
		 * and takes the session over, instead of failing at start-up.
		 */
		private boolean waitForTakeover = false;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public String getOwner() {
			return this.owner;
		}

		public void setOwner(String owner) {
			this.owner = owner;
		}

		public Duration getDuration() {
			return this.duration;
		}

		public void setDuration(Duration duration) {
			this.duration = duration;
		}

		public boolean isWaitForTakeover() {
			return this.waitForTakeover;
		}

		public void setWaitForTakeover(boolean waitForTakeover) {
			this.waitForTakeover = waitForTakeover;
		}

	}

	/** Settings of the JPA store. */
	public static class Jpa {

		/**
		 * When to run the idempotent schema script that creates the store's tables:
		 * 'always' (they are created if missing), 'embedded' (only for an in-memory
		 * database), 'never' (create them yourself; start-up fails when they are
		 * missing).
		 */
		private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.ALWAYS;

		/**
		 * Prefix of the store's table and sequence names: a letter, then letters, digits
		 * or underscores, at most 30 characters.
		 */
		private String tablePrefix = "MQTT_";

		public DatabaseInitializationMode getInitializeSchema() {
			return this.initializeSchema;
		}

		public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
			this.initializeSchema = initializeSchema;
		}

		public String getTablePrefix() {
			return this.tablePrefix;
		}

		public void setTablePrefix(String tablePrefix) {
			this.tablePrefix = tablePrefix;
		}

	}

}
