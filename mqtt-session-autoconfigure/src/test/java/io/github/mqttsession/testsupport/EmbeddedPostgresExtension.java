package io.github.mqttsession.testsupport;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts one real {@link PostgresServer} per test JVM, whose commits are durable, and
 * stops it when the test plan ends.
 */
public class EmbeddedPostgresExtension implements BeforeAllCallback {

	private static volatile @Nullable PostgresServer server;

	@Override
	public void beforeAll(ExtensionContext context) {
		server = PerTestPlan.shared(context, PostgresServer.class, PostgresServer::new);
	}

	/**
	 * The TCP port the shared server listens on, on 127.0.0.1.
	 * @return the port
	 */
	public static int port() {
		return running().port();
	}

	/**
	 * The JDBC URL of the shared server's {@code postgres} database.
	 * @return the URL
	 */
	public static String jdbcUrl() {
		return running().jdbcUrl();
	}

	private static PostgresServer running() {
		PostgresServer current = server;
		if (current == null) {
			throw new IllegalStateException("Register EmbeddedPostgresExtension on the test class first");
		}
		return current;
	}

}
