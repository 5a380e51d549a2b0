package io.github.mqttsession.integration.crash;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The class path of a child JVM: this JVM's own, with its class directories copied once
 * per test JVM. A build running beside the tests (another {@code mvn} in the same module)
 * rewrites {@code target/classes} and {@code target/test-classes}, and a child JVM
 * started meanwhile would find its main class missing; the copy keeps the classes this
 * JVM was started with.
 */
final class ChildClassPath {

	private static String classPath;

	private ChildClassPath() {
	}

	/**
	 * The class path to start a child JVM with.
	 * @return the entries, joined with the path separator
	 */
	static synchronized String get() {
		if (classPath == null) {
			classPath = copyDirectories(System.getProperty("java.class.path"));
		}
		return classPath;
	}

	private static String copyDirectories(String original) {
		Path snapshot = Path.of("target", "crash", "classpath-" + UUID.randomUUID()).toAbsolutePath();
		List<String> entries = new ArrayList<>();
		int index = 0;
		for (String entry : original.split(File.pathSeparator)) {
			Path path = Path.of(entry);
			if (Files.isDirectory(path)) {
				Path copy = snapshot.resolve(Integer.toString(index++));
				copyTree(path, copy);
				entries.add(copy.toString());
			}
			else {
				entries.add(entry);
			}
		}
		Path mainClass = Path.of("io", "github", "mqttsession", "integration", "crash", "CrashingPublisher.class");
		if (entries.stream().noneMatch((entry) -> Files.isRegularFile(Path.of(entry).resolve(mainClass)))) {
			throw new IllegalStateException("The class directories of " + original + " hold no " + mainClass
					+ "; another build in this module is probably rewriting them");
		}
		return String.join(File.pathSeparator, entries);
	}

	private static void copyTree(Path source, Path target) {
		try (Stream<Path> paths = Files.walk(source)) {
			for (Path path : paths.toList()) {
				Path copy = target.resolve(source.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(copy);
				}
				else {
					Files.copy(path, copy);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not copy the class directory " + source, ex);
		}
	}

}
