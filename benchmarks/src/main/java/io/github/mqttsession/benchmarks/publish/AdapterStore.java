package io.github.mqttsession.benchmarks.publish;

import java.nio.file.Path;
import java.util.List;

/** The session store the adapter runs on. */
enum AdapterStore {

	MEMORY("adapter-memory", "memory", "in-memory store (nothing durable; the baseline)"),

	H2("adapter-jpa-h2", "jpa", "JPA store on H2 file (`WRITE_DELAY=0`)"),

	POSTGRES("adapter-jpa-postgres", "jpa", "JPA store on PostgreSQL (`synchronous_commit=on`)");

	final String id;

	final String store;

	final String description;

	AdapterStore(String id, String store, String description) {
		this.id = id;
		this.store = store;
		this.description = description;
	}

	/** The properties that give the application this store's database, or none. */
	List<String> dataSource(Path h2File, String postgresUrl) {
		return switch (this) {
			case H2 -> List.of("spring.datasource.url=jdbc:h2:file:" + h2File + ";WRITE_DELAY=0",
					"spring.datasource.username=sa");
			case POSTGRES -> List.of("spring.datasource.url=" + postgresUrl, "spring.datasource.username=postgres",
					"spring.datasource.password=postgres");
			case MEMORY -> List.of("spring.autoconfigure.exclude="
					+ "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
		};
	}

}
