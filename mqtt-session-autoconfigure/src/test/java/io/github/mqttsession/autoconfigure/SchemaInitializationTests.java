package io.github.mqttsession.autoconfigure;

import java.sql.Connection;
import java.util.UUID;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.StoreTables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The schema script runs only when the database lacks something it creates, so that a
 * complete schema needs no right to create anything.
 */
class SchemaInitializationTests {

	private final HikariDataSource database = Databases
		.pooled("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");

	private final CountingDataSource counting = new CountingDataSource(this.database);

	@AfterEach
	void closeDatabase() {
		this.database.close();
	}

	@Test
	void completeTablesAreLeftAlone() {
		StoreTables.create(this.database, "DEVICE_");
		initialize("DEVICE_");
		assertThat(this.counting.count("CREATE")).isZero();
	}

	@Test
	void aMissingIndexIsCreatedByTheScript() {
		StoreTables.create(this.database);
		Databases.execute(this.database, "DROP INDEX MQTT_SESSION_UPDATED_IX");
		initialize("MQTT_");
		assertThat(this.counting.count("CREATE")).isPositive();
		assertThat(Databases.queryString(this.database,
				"SELECT COUNT(*) FROM INFORMATION_SCHEMA.INDEXES WHERE INDEX_NAME = 'MQTT_SESSION_UPDATED_IX'"))
			.isEqualTo("1");
	}

	@Test
	void aColumnAScriptAddsIsLookedUpByName() throws Exception {
		StoreTables.create(this.database);
		String script = "ALTER TABLE MQTT_SESSION ADD COLUMN IF NOT EXISTS LABEL VARCHAR(64);\n"
				+ "ALTER TABLE MQTT_SESSION ADD COLUMN IF NOT EXISTS OWNER VARCHAR(255);";
		try (Connection connection = this.database.getConnection()) {
			assertThat(SchemaScriptObjects.missing(connection, SchemaScriptObjects.of(script).orElseThrow()))
				.map(Object::toString)
				.containsExactly("column MQTT_SESSION.LABEL");
		}
	}

	@Test
	void aScriptWithAStatementWhoseEffectCannotBeLookedUpMustRun() {
		assertThat(SchemaScriptObjects.of("CREATE TABLE IF NOT EXISTS A (ID INT);\nUPDATE A SET ID = 1;")).isEmpty();
	}

	private void initialize(String tablePrefix) {
		this.counting.reset();
		new MqttSessionSchemaInitializer(this.counting.dataSource(), DatabaseInitializationMode.ALWAYS, tablePrefix)
			.initializeDatabase();
	}

}
