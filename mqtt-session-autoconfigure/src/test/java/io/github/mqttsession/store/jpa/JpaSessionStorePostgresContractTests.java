package io.github.mqttsession.store.jpa;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreContractTests;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(EmbeddedPostgresExtension.class)
class JpaSessionStorePostgresContractTests extends SessionStoreContractTests {

	private HikariDataSource dataSource;

	@Override
	protected SessionStore createStore() {
		this.dataSource = Databases.postgres(EmbeddedPostgresExtension.jdbcUrl());
		StoreTables.create(this.dataSource);
		return new JpaSessionStore(this.dataSource);
	}

	@AfterAll
	void closeDataSource() {
		this.dataSource.close();
	}

}
