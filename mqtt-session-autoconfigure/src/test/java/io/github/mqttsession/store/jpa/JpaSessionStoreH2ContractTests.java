package io.github.mqttsession.store.jpa;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.SessionStoreContractTests;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JpaSessionStoreH2ContractTests extends SessionStoreContractTests {

	private HikariDataSource dataSource;

	@Override
	protected SessionStore createStore() {
		this.dataSource = Databases.newH2File();
		StoreTables.create(this.dataSource);
		return new JpaSessionStore(this.dataSource);
	}

	@Test
	void hasEveryOptionalFeature() {
		assertThat(JpaSessionStore.class).isAssignableTo(SessionListing.class)
			.isAssignableTo(IdleSessionCleanup.class)
			.isAssignableTo(SessionLeasing.class);
	}

	@AfterAll
	void closeDataSource() {
		this.dataSource.close();
	}

}
