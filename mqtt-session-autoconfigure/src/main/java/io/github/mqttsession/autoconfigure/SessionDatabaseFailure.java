package io.github.mqttsession.autoconfigure;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import io.github.mqttsession.autoconfigure.MqttSessionProperties.StoreType;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;

/**
 * Turns a failure to reach the JPA store's database at start-up into a report that names
 * the database's URL, the root cause and the property that made the starter need the
 * database, instead of the exception some layers up that happened to ask first ("Failed
 * to determine DatabaseDriver").
 */
final class SessionDatabaseFailure {

	private static final List<String> URL_PROPERTIES = List.of("jdbcUrl", "url", "URL");

	private SessionDatabaseFailure() {
	}

	/**
	 * The report of the failure when the database could not be reached, or the failure as
	 * it was.
	 * @param failure what setting up the store threw
	 * @param dataSource the store's DataSource
	 * @param store the configured store type
	 * @return the exception to throw
	 */
	static RuntimeException explain(RuntimeException failure, DataSource dataSource, StoreType store) {
		if (!causedBySql(failure)) {
			return failure;
		}
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String url = urlOf(dataSource);
		String database = (url != null) ? "its database at " + url
				: "its database (a " + dataSource.getClass().getName() + ")";
		return new MqttSessionConfigurationException(
				"The JPA session store cannot reach " + database + ": " + root + ". The starter needs the database: "
						+ why(store) + ".",
				"Start the database, or correct the DataSource (spring.datasource.url and its credentials); or keep"
						+ " sessions in memory with mqtt.session.store=memory, where they do not survive a restart.",
				failure);
	}

	/**
	 * Why the starter set up the JPA store.
	 * @param store the configured store type
	 * @return the reason, naming the property
	 */
	static String why(StoreType store) {
		return (store == StoreType.AUTO)
				? "mqtt.session.store=auto chose the JPA store, as Hibernate and a DataSource are present"
				: "mqtt.session.store=" + store.name().toLowerCase(Locale.ROOT) + " asks for the JPA store";
	}

	private static boolean causedBySql(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	private static @Nullable String urlOf(DataSource dataSource) {
		// Connection pools and drivers' own DataSources name the property jdbcUrl
		// (Hikari) or url (most others)
		BeanWrapper bean = new BeanWrapperImpl(dataSource);
		for (String property : URL_PROPERTIES) {
			try {
				if (bean.isReadableProperty(property) && bean.getPropertyValue(property) instanceof String url) {
					return url;
				}
			}
			catch (RuntimeException ex) {
				// Not readable after all: try the next name
			}
		}
		return null;
	}

}
