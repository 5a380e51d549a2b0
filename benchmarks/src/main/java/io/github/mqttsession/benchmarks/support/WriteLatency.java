package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

import javax.sql.DataSource;

/**
 * The floor under every durable variant, measured on this machine at the start of a run:
 * one auto-committed one-row INSERT on each database, and one 256-byte append with
 * fdatasync to a file.
 */
public final class WriteLatency {

	private static final int SAMPLES = 300;

	private WriteLatency() {
	}

	/**
	 * Measures and describes the latencies as Markdown table rows.
	 * @param postgres the PostgreSQL DataSource
	 * @param h2 an H2 file DataSource
	 * @param folder where the scratch file goes
	 * @return the rows
	 */
	public static String measure(DataSource postgres, DataSource h2, Path folder) {
		StringBuilder md = new StringBuilder();
		md.append("| durable write | median µs | 90th percentile µs |\n| --- | ---: | ---: |\n");
		md.append(row("PostgreSQL: one-row INSERT, auto-commit (`synchronous_commit=on`)", insert(postgres, "BYTEA")));
		md.append(row("H2 file: one-row INSERT, auto-commit (`WRITE_DELAY=0`)", insert(h2, "VARBINARY")));
		md.append(row("file: 256-byte append + `FileChannel.force(false)` (fdatasync)", append(folder)));
		return md.toString();
	}

	private static String row(String what, long[] nanos) {
		if (nanos == null) {
			return "| " + what + " | failed | |\n";
		}
		Arrays.sort(nanos);
		return String.format(Locale.ROOT, "| %s | %,d | %,d |%n", what, nanos[nanos.length / 2] / 1000,
				nanos[nanos.length * 9 / 10] / 1000);
	}

	private static long[] insert(DataSource dataSource, String binaryType) {
		try (Connection connection = dataSource.getConnection()) {
			connection.createStatement()
				.execute("CREATE TABLE IF NOT EXISTS BENCH_WRITE_LATENCY (PAYLOAD " + binaryType + ")");
			byte[] payload = new byte[256];
			long[] nanos = new long[SAMPLES];
			try (PreparedStatement statement = connection
				.prepareStatement("INSERT INTO BENCH_WRITE_LATENCY VALUES (?)")) {
				for (int i = -50; i < SAMPLES; i++) {
					long start = System.nanoTime();
					statement.setBytes(1, payload);
					statement.executeUpdate();
					if (i >= 0) {
						nanos[i] = System.nanoTime() - start;
					}
				}
			}
			connection.createStatement().execute("DROP TABLE BENCH_WRITE_LATENCY");
			return nanos;
		}
		catch (SQLException ex) {
			return null;
		}
	}

	private static long[] append(Path folder) {
		Path file = folder.resolve("write-latency.bin");
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
				StandardOpenOption.APPEND)) {
			long[] nanos = new long[SAMPLES];
			for (int i = -50; i < SAMPLES; i++) {
				long start = System.nanoTime();
				channel.write(ByteBuffer.allocate(256));
				channel.force(false);
				if (i >= 0) {
					nanos[i] = System.nanoTime() - start;
				}
			}
			return nanos;
		}
		catch (IOException ex) {
			return null;
		}
		finally {
			try {
				Files.deleteIfExists(file);
			}
			catch (IOException ex) {
				// scratch file in the work folder, removed with it
			}
		}
	}

}
