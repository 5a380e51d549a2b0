package io.github.mqttsession.store.jpa;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class JpaStatementCountPostgresTests extends JpaStatementCountTests {

	@Override
	HikariDataSource createDataSource() {
		HikariDataSource dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
		StoreTables.create(dataSource);
		return dataSource;
	}

}
