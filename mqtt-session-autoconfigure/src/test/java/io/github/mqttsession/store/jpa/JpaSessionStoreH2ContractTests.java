package io.github.mqttsession.store.jpa;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreContractTests;
import io.github.mqttsession.testsupport.Databases;
import org.junit.jupiter.api.AfterAll;

class JpaSessionStoreH2ContractTests extends SessionStoreContractTests {

	private HikariDataSource dataSource;

	@Override
	protected SessionStore createStore() {
		this.dataSource = Databases.newH2File();
		Databases.createTables(this.dataSource);
		return new JpaSessionStore(this.dataSource);
	}

	@AfterAll
	void closeDataSource() {
		this.dataSource.close();
	}

}
