package io.github.mqttsession.benchmarks.publish;

/** The persistences compared end to end; A is the baseline. */
enum Variant {

	/** Paho's MemoryPersistence: nothing durable. */
	A("A-paho-memory", "Paho `MemoryPersistence` (nothing durable)"),

	/** Paho's file persistence: one file written and fsynced per put. */
	B("B-paho-file", "Paho `MqttDefaultFilePersistence` (file + fsync per put)"),

	/** mqtt-session on the in-memory store. */
	C("C-session-memory", "mqtt-session, `InMemorySessionStore`"),

	/** mqtt-session on the JPA store, H2 in a file. */
	D("D-session-jpa-h2", "mqtt-session, `JpaSessionStore` on H2 file (`WRITE_DELAY=0`)"),

	/** mqtt-session on the JPA store, PostgreSQL. */
	E("E-session-jpa-postgres", "mqtt-session, `JpaSessionStore` on PostgreSQL (`synchronous_commit=on`)");

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
		return this == D || this == E;
	}

}
