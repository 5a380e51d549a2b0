package io.github.mqttsession.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.Resource;

/**
 * Creates the JPA store's tables through Spring Boot's database initialisation, running
 * the idempotent script for the database's platform with the configured table prefix in
 * place of {@code MQTT_}.
 */
public class MqttSessionSchemaInitializer extends DataSourceScriptDatabaseInitializer {

	/** Where the schema scripts are, one per platform. */
	public static final String SCHEMA_LOCATION = "classpath:io/github/mqttsession/store/jpa/schema-@@platform@@.sql";

	private final String tablePrefix;

	/**
	 * Creates an initializer.
	 * @param dataSource the store's DataSource
	 * @param mode when to run the script
	 * @param tablePrefix the table prefix
	 */
	public MqttSessionSchemaInitializer(DataSource dataSource, DatabaseInitializationMode mode, String tablePrefix) {
		super(dataSource, settings(dataSource, mode));
		this.tablePrefix = tablePrefix;
	}

	private static DatabaseInitializationSettings settings(DataSource dataSource, DatabaseInitializationMode mode) {
		DatabaseInitializationSettings settings = new DatabaseInitializationSettings();
		settings.setSchemaLocations(
				new PlatformPlaceholderDatabaseDriverResolver().resolveAll(dataSource, SCHEMA_LOCATION));
		settings.setMode(mode);
		return settings;
	}

	@Override
	protected void runScripts(Scripts scripts) {
		List<Resource> prefixed = new ArrayList<>();
		for (Resource script : scripts) {
			prefixed.add(withPrefix(script));
		}
		super.runScripts(new Scripts(prefixed).continueOnError(scripts.isContinueOnError())
			.separator(scripts.getSeparator())
			.encoding(scripts.getEncoding()));
	}

	private Resource withPrefix(Resource script) {
		try {
			String sql = script.getContentAsString(StandardCharsets.UTF_8);
			String replaced = sql.replaceAll("\\b" + JpaSessionStore.DEFAULT_TABLE_PREFIX, this.tablePrefix);
			return new ByteArrayResource(replaced.getBytes(StandardCharsets.UTF_8), script.getDescription());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + script.getDescription(), ex);
		}
	}

}
