package io.github.mqttsession.store.jpa;

import org.hibernate.boot.model.naming.Identifier;
import org.hibernate.boot.model.naming.PhysicalNamingStrategyStandardImpl;
import org.hibernate.engine.jdbc.env.spi.JdbcEnvironment;

/**
 * Puts the configured prefix in place of {@code MQTT_} on the store's table and sequence
 * names. It serves the store's own persistence unit only, so the application's naming is
 * untouched.
 */
final class TablePrefixNamingStrategy extends PhysicalNamingStrategyStandardImpl {

	private final String tablePrefix;

	TablePrefixNamingStrategy(String tablePrefix) {
		this.tablePrefix = tablePrefix;
	}

	@Override
	public Identifier toPhysicalTableName(Identifier logicalName, JdbcEnvironment context) {
		return withPrefix(logicalName);
	}

	@Override
	public Identifier toPhysicalSequenceName(Identifier logicalName, JdbcEnvironment context) {
		return withPrefix(logicalName);
	}

	private Identifier withPrefix(Identifier name) {
		String text = name.getText();
		if (!text.startsWith(JpaSessionStore.DEFAULT_TABLE_PREFIX)) {
			return name;
		}
		return Identifier.toIdentifier(this.tablePrefix + text.substring(JpaSessionStore.DEFAULT_TABLE_PREFIX.length()),
				name.isQuoted());
	}

}
