package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/** Clean-up of the folders that servers and databases leave behind. */
public final class Folders {

	private Folders() {
	}

	/**
	 * Deletes a folder and everything in it, quietly: clean-up at the end of a run must
	 * not hide its results.
	 * @param root the folder; nothing happens when it is absent
	 */
	public static void deleteRecursively(@Nullable Path root) {
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
