package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** File helpers of the harness. */
public final class Files2 {

	private Files2() {
	}

	/**
	 * Deletes a folder and everything in it, quietly: clean-up at the end of a run must not hide its results.
	 * @param root the folder
	 */
	public static void deleteRecursively(Path root) {
		if (root == null || !Files.exists(root)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			// best effort
		}
	}

}
