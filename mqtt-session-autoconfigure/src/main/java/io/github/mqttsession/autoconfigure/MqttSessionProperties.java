package io.github.mqttsession.autoconfigure;

import io.github.mqttsession.paho.OverflowPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Settings of the session store, under {@code mqtt.session}.
 */
@ConfigurationProperties("mqtt.session")
public class MqttSessionProperties {

	/**
	 * Where sessions are stored: 'auto' uses JPA when Hibernate and a DataSource are present and memory otherwise,
	 * 'memory' keeps them in the heap (lost on restart), 'jpa' in database tables (fails at start-up without a
	 * DataSource).
	 */
	private StoreType store = StoreType.AUTO;

	/**
	 * Most pending messages a session holds (1..65535). Publishing beyond it while the broker is unreachable
	 * triggers the overflow policy.
	 */
	private int maxPendingMessages = 10_000;

	/**
	 * What happens to a publish beyond max-pending-messages: 'reject' fails it and stores nothing, 'drop-oldest'
	 * discards the oldest message never sent, with a warning.
	 */
	private OverflowPolicy overflow = OverflowPolicy.REJECT;

	private final Jpa jpa = new Jpa();

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

	/** Settings of the JPA store. */
	public static class Jpa {

		/**
		 * When to run the idempotent schema script that creates the store's tables: 'always' (they are created if
		 * missing), 'embedded' (only for an in-memory database), 'never' (create them yourself; start-up fails when
		 * they are missing).
		 */
		private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.ALWAYS;

		/**
		 * Prefix of the store's table and sequence names: a letter, then letters, digits or underscores, at most 30
		 * characters.
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
