package io.github.mqttsession.autoconfigure;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The tables, indexes, sequences and added columns that an idempotent schema script
 * creates, read from its own statements, and the catalog look-ups that tell which of them
 * a database lacks. It lets the starter leave a complete schema alone: on PostgreSQL even
 * {@code CREATE TABLE IF NOT EXISTS} needs the right to create in the schema, and
 * {@code CREATE INDEX IF NOT EXISTS} the ownership of the table, which an application's
 * least-privileged database user does not have.
 */
final class SchemaScriptObjects {

	private static final String NAME = "([A-Za-z_][A-Za-z0-9_]*)";

	private static final Pattern CREATE_TABLE = Pattern.compile("CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+" + NAME,
			Pattern.CASE_INSENSITIVE);

	private static final Pattern CREATE_INDEX = Pattern.compile(
			"CREATE\\s+(?:UNIQUE\\s+)?INDEX\\s+IF\\s+NOT\\s+EXISTS\\s+" + NAME + "\\s+ON\\s+" + NAME,
			Pattern.CASE_INSENSITIVE);

	private static final Pattern CREATE_SEQUENCE = Pattern
		.compile("CREATE\\s+SEQUENCE\\s+IF\\s+NOT\\s+EXISTS\\s+" + NAME, Pattern.CASE_INSENSITIVE);

	private static final Pattern ADD_COLUMN = Pattern.compile("ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + NAME
			+ "\\s+ADD\\s+(?:COLUMN\\s+)?IF\\s+NOT\\s+EXISTS\\s+" + NAME, Pattern.CASE_INSENSITIVE);

	private static final String SEQUENCE_QUERY = "SELECT SEQUENCE_NAME FROM INFORMATION_SCHEMA.SEQUENCES"
			+ " WHERE SEQUENCE_SCHEMA = ? AND UPPER(SEQUENCE_NAME) = ?";

	private SchemaScriptObjects() {
	}

	/**
	 * What a script creates, one object per statement.
	 * @param sql the script
	 * @return the objects, or empty when a statement is of a kind this class cannot
	 * check, so that the script must run
	 */
	static Optional<List<SchemaObject>> of(String sql) {
		List<SchemaObject> objects = new ArrayList<>();
		for (String statement : sql.replaceAll("--[^\\n]*", "").split(";")) {
			if (statement.isBlank()) {
				continue;
			}
			SchemaObject object = objectOf(statement.strip());
			if (object == null) {
				return Optional.empty();
			}
			objects.add(object);
		}
		return Optional.of(objects);
	}

	private static @Nullable SchemaObject objectOf(String statement) {
		Matcher matcher = CREATE_TABLE.matcher(statement);
		if (matcher.lookingAt()) {
			return new SchemaObject(Kind.TABLE, matcher.group(1), matcher.group(1));
		}
		matcher = CREATE_INDEX.matcher(statement);
		if (matcher.lookingAt()) {
			return new SchemaObject(Kind.INDEX, matcher.group(1), matcher.group(2));
		}
		matcher = CREATE_SEQUENCE.matcher(statement);
		if (matcher.lookingAt()) {
			return new SchemaObject(Kind.SEQUENCE, matcher.group(1), null);
		}
		matcher = ADD_COLUMN.matcher(statement);
		if (matcher.lookingAt()) {
			return new SchemaObject(Kind.COLUMN, matcher.group(2), matcher.group(1));
		}
		return null;
	}

	/**
	 * The objects the database lacks in the connection's current schema, where the script
	 * would create them.
	 * @param connection a connection to the database
	 * @param objects what the script creates
	 * @return the missing objects, in the script's order
	 * @throws SQLException when the catalog cannot be read
	 */
	static List<SchemaObject> missing(Connection connection, List<SchemaObject> objects) throws SQLException {
		DatabaseMetaData metaData = connection.getMetaData();
		String schema = connection.getSchema();
		List<SchemaObject> missing = new ArrayList<>();
		for (SchemaObject object : objects) {
			if (!exists(connection, metaData, schema, object)) {
				missing.add(object);
			}
		}
		return missing;
	}

	private static boolean exists(Connection connection, DatabaseMetaData metaData, @Nullable String schema,
			SchemaObject object) throws SQLException {
		if (object.kind() == Kind.SEQUENCE) {
			return sequenceExists(connection, schema, object.name());
		}
		String table = storedTableName(metaData, schema, object.table());
		if (table == null) {
			return false;
		}
		return switch (object.kind()) {
			case TABLE -> true;
			case INDEX -> indexExists(metaData, schema, table, object.name());
			case COLUMN -> columnExists(metaData, schema, table, object.name());
			case SEQUENCE -> throw new IllegalStateException("Sequences are looked up above");
		};
	}

	/**
	 * The table's name as the catalog holds it: PostgreSQL folds unquoted names to lower
	 * case, H2 to upper case.
	 */
	private static @Nullable String storedTableName(DatabaseMetaData metaData, @Nullable String schema,
			@Nullable String table) throws SQLException {
		if (table == null) {
			return null;
		}
		String escape = metaData.getSearchStringEscape();
		for (String candidate : List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT))) {
			String pattern = (escape != null) ? candidate.replace("_", escape + "_") : candidate;
			try (ResultSet tables = metaData.getTables(null, schema, pattern, new String[] { "TABLE" })) {
				while (tables.next()) {
					if (tables.getString("TABLE_NAME").equals(candidate)) {
						return candidate;
					}
				}
			}
		}
		return null;
	}

	private static boolean indexExists(DatabaseMetaData metaData, @Nullable String schema, String table, String index)
			throws SQLException {
		try (ResultSet indexes = metaData.getIndexInfo(null, schema, table, false, true)) {
			while (indexes.next()) {
				if (index.equalsIgnoreCase(indexes.getString("INDEX_NAME"))) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean columnExists(DatabaseMetaData metaData, @Nullable String schema, String table, String column)
			throws SQLException {
		try (ResultSet columns = metaData.getColumns(null, schema, table, null)) {
			while (columns.next()) {
				if (column.equalsIgnoreCase(columns.getString("COLUMN_NAME"))) {
					return true;
				}
			}
		}
		return false;
	}

	private static boolean sequenceExists(Connection connection, @Nullable String schema, String sequence)
			throws SQLException {
		// The standard view, which H2 and PostgreSQL both have; JDBC's metadata lists
		// sequences on PostgreSQL only
		try (PreparedStatement query = connection.prepareStatement(SEQUENCE_QUERY)) {
			query.setString(1, schema);
			query.setString(2, sequence.toUpperCase(Locale.ROOT));
			try (ResultSet sequences = query.executeQuery()) {
				return sequences.next();
			}
		}
	}

	/** What kind of object a statement creates. */
	enum Kind {

		TABLE, INDEX, SEQUENCE, COLUMN;

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/**
	 * An object a script creates.
	 *
	 * @param kind its kind
	 * @param name its name as the script spells it
	 * @param table the table it belongs to, for a table its own name
	 */
	record SchemaObject(Kind kind, String name, @Nullable String table) {

		@Override
		public String toString() {
			return (this.kind == Kind.COLUMN) ? "column " + this.table + "." + this.name : this.kind + " " + this.name;
		}

	}

}
