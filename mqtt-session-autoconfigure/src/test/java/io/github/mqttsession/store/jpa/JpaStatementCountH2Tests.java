package io.github.mqttsession.store.jpa;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.StoreTables;

class JpaStatementCountH2Tests extends JpaStatementCountTests {

	@Override
	HikariDataSource createDataSource() {
		HikariDataSource dataSource = Databases.newH2File();
		StoreTables.create(dataSource);
		return dataSource;
	}

}
