package io.github.mqttsession.benchmarks.publish;

/** The persistences compared end to end; A is the baseline. */
enum Variant {

	/** Paho's MemoryPersistence: nothing durable. */
	A("A-paho-memory", "Paho `MemoryPersistence` (nothing durable)"),

	/**
	 * Paho's MemoryPersistence, each publisher waiting for its message's acknowledgement:
	 * what the wait alone costs. A durable variant's publisher waits as long, unless its
	 * message is committed sooner.
	 */
	A1("A1-paho-memory-wait-for-acknowledgement",
			"Paho `MemoryPersistence`, each publisher waits for its acknowledgement (nothing durable)"),

	/** Paho's file persistence: one file written and fsynced per put. */
	B("B-paho-file", "Paho `MqttDefaultFilePersistence` (file + fsync per put)"),

	/** mqtt-session on the in-memory store. */
	C("C-session-memory", "mqtt-session, `InMemorySessionStore`"),

	/** mqtt-session on the JPA store, H2 in a file. */
	D("D-session-jpa-h2", "mqtt-session, `JpaSessionStore` on H2 file (`WRITE_DELAY=0`)"),

	/** mqtt-session on the JPA store, PostgreSQL. */
	E("E-session-jpa-postgres", "mqtt-session, `JpaSessionStore` on PostgreSQL (`synchronous_commit=on`)"),

	/**
	 * Step 0 of E: every put and every remove its own transaction and commit, on the
	 * caller's thread.
	 */
	E0("E0-postgres-one-commit-per-write", "step 0 of E: one commit per put and per remove, each on Paho's thread"),

	/**
	 * Step 1 of E: writes gathered by the background writer, but each publisher waits
	 * inside Paho's lock.
	 */
	E1("E1-postgres-gathered-wait-in-lock",
			"step 1 of E: gathered writes, removals not waited for, but each put waits inside Paho's lock"),

	/**
	 * Step 2 of E: publishers wait outside Paho's lock, but every publish is written as
	 * soon as the writer takes it, with no delay for its acknowledgement.
	 */
	E2("E2-postgres-no-write-delay",
			"step 2 of E: publishers wait outside Paho's lock, every publish written at once (write delay 0)");

	private final String id;

	private final String description;

	Variant(String id, String description) {
		this.id = id;
		this.description = description;
	}

	String id() {
		return this.id;
	}

	String description() {
		return this.description;
	}

	boolean hasDatabase() {
		return this == D || this == E || this == E0 || this == E1 || this == E2;
	}

}
