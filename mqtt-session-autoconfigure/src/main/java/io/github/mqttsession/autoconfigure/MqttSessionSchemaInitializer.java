package io.github.mqttsession.autoconfigure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.SchemaScriptObjects.SchemaObject;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.DatabaseInitializationSettings;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;

/**
 * Creates the JPA store's tables through Spring Boot's database initialisation, running
 * the idempotent script for the database's platform with the configured table prefix in
 * place of {@code MQTT_}.
 * <p>
 * The script runs only when the database lacks one of the tables, indexes or sequences it
 * creates: an application whose database user may not create tables starts on tables an
 * administrator created from the same script. When something is missing and the script
 * cannot create it, start-up fails naming what is missing, the database user and the
 * script to run.
 */
public class MqttSessionSchemaInitializer extends DataSourceScriptDatabaseInitializer {

	/** Where the schema scripts are, one per platform. */
	public static final String SCHEMA_LOCATION = "classpath:io/github/mqttsession/store/jpa/schema-@@platform@@.sql";

	private static final Log logger = LogFactory.getLog(MqttSessionSchemaInitializer.class);

	private final DataSource dataSource;

	private final String tablePrefix;

	/**
	 * Creates an initializer.
	 * @param dataSource the store's DataSource
	 * @param mode when to run the script
	 * @param tablePrefix the table prefix
	 */
	public MqttSessionSchemaInitializer(DataSource dataSource, DatabaseInitializationMode mode, String tablePrefix) {
		super(dataSource, settings(dataSource, mode));
		this.dataSource = dataSource;
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
		List<String> missing = missing(prefixed, scripts);
		if (missing.isEmpty()) {
			logger.debug("The JPA session store's tables are complete; not running " + descriptions(scripts));
			return;
		}
		try {
			super.runScripts(new Scripts(prefixed).continueOnError(scripts.isContinueOnError())
				.separator(scripts.getSeparator())
				.encoding(scripts.getEncoding()));
		}
		catch (RuntimeException ex) {
			throw cannotCreate(missing, scripts, ex);
		}
	}

	/**
	 * What the scripts would create and the database lacks; all of it when a script holds
	 * a statement whose effect cannot be looked up.
	 */
	private List<String> missing(List<Resource> prefixed, Scripts scripts) {
		List<SchemaObject> objects = new ArrayList<>();
		for (Resource script : prefixed) {
			Optional<List<SchemaObject>> created = SchemaScriptObjects.of(contentOf(script));
			if (created.isEmpty()) {
				return List.of("what " + descriptions(scripts) + " creates");
			}
			objects.addAll(created.get());
		}
		try (Connection connection = this.dataSource.getConnection()) {
			return SchemaScriptObjects.missing(connection, objects).stream().map(SchemaObject::toString).toList();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(
					"Could not read the catalog of the JPA session store's database: " + ex.getMessage(), ex);
		}
	}

	private RuntimeException cannotCreate(List<String> missing, Scripts scripts, RuntimeException ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String user = databaseUser();
		String what = String.join(", ", missing);
		String prefixNote = JpaSessionStore.DEFAULT_TABLE_PREFIX.equals(this.tablePrefix) ? ""
				: " (with " + JpaSessionStore.DEFAULT_TABLE_PREFIX + " replaced by " + this.tablePrefix + ")";
		return new MqttSessionConfigurationException("The JPA session store's schema is incomplete: " + what
				+ " missing. Its script could not create them as database user " + user + ": " + root.getMessage(),
				"Have a database user that may create tables run " + descriptions(scripts) + prefixNote + ", or grant "
						+ user
						+ " the right to create tables in the schema and restart; or keep sessions in memory with"
						+ " mqtt.session.store=memory.",
				ex);
	}

	private String databaseUser() {
		try (Connection connection = this.dataSource.getConnection()) {
			return "'" + connection.getMetaData().getUserName() + "'";
		}
		catch (SQLException ex) {
			return "(unknown: " + ex.getMessage() + ")";
		}
	}

	private static String descriptions(Scripts scripts) {
		List<String> descriptions = new ArrayList<>();
		for (Resource script : scripts) {
			descriptions.add((script instanceof ClassPathResource classPath) ? "classpath:" + classPath.getPath()
					: script.getDescription());
		}
		return String.join(", ", descriptions);
	}

	private Resource withPrefix(Resource script) {
		String replaced = contentOf(script).replaceAll("\\b" + JpaSessionStore.DEFAULT_TABLE_PREFIX, this.tablePrefix);
		return new ByteArrayResource(replaced.getBytes(StandardCharsets.UTF_8), script.getDescription());
	}

	private static String contentOf(Resource script) {
		try {
			return script.getContentAsString(StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read " + script.getDescription(), ex);
		}
	}

}
