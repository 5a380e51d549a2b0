package io.github.mqttsession.store.jpa;

import java.util.function.Supplier;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.StoreTables;

/**
 * The databases the JPA store runs on, each a fresh DataSource with the store's tables:
 * an H2 file of its own, or the PostgreSQL server of the test JVM
 * ({@link EmbeddedPostgresExtension}).
 */
enum StoreDatabase {

	H2(Databases::newH2File), POSTGRESQL(() -> Databases.postgres(EmbeddedPostgresExtension.jdbcUrl()));

	private final Supplier<HikariDataSource> dataSource;

	StoreDatabase(Supplier<HikariDataSource> dataSource) {
		this.dataSource = dataSource;
	}

	/**
	 * A DataSource on the database, with the store's tables.
	 * @return the DataSource, for the caller to close
	 */
	HikariDataSource create() {
		HikariDataSource dataSource = this.dataSource.get();
		StoreTables.create(dataSource);
		return dataSource;
	}

}
