package io.github.mqttsession.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of this starter's properties that the project's documentation mentions
 * (README.md and the pages under docs/), in its property table and in its text, as a
 * reader would type them.
 */
final class ReadmePropertyNames {

	private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");

	private static final List<String> PREFIXES = List.of("mqtt.", "management.health.mqttsession.");

	private ReadmePropertyNames() {
	}

	/**
	 * Return every property name the README mentions: values (`a.b=c`, `a.b: c`) and list
	 * indexes (`a.b[n].c` becomes `a.b`) cut off, wildcards (`a.b.*`) kept, and the
	 * meters of its "Meters" section left out, whose names look like properties.
	 * @return the names, in the order the README first mentions them
	 * @throws IOException when the README cannot be read
	 */
	static Set<String> read() throws IOException {
		List<String> lines = documentation();
		Set<String> meters = meterNames(lines);
		Set<String> names = new LinkedHashSet<>();
		for (String span : codeSpans(prose(lines))) {
			addIfProperty(names, span);
		}
		for (String line : lines) {
			addTableSiblings(names, line);
		}
		names.removeAll(meters);
		return names;
	}

	private static void addIfProperty(Set<String> names, String span) {
		String name = span.strip();
		if (name.startsWith("--")) {
			name = name.substring(2);
		}
		if (PREFIXES.stream().noneMatch(name::startsWith)) {
			return;
		}
		name = name.split("[=:\\s]", 2)[0];
		int index = name.indexOf('[');
		names.add((index < 0) ? name : name.substring(0, index));
	}

	/**
	 * A table row names sibling properties by their last part after the first's full
	 * name: "`mqtt.client.username` / `password`".
	 */
	private static void addTableSiblings(Set<String> names, String line) {
		if (!line.startsWith("| `")) {
			return;
		}
		String[] parts = line.split("\\|")[1].split(" / ");
		List<String> first = codeSpans(parts[0]);
		if (first.isEmpty() || PREFIXES.stream().noneMatch(first.get(0)::startsWith)) {
			return;
		}
		String base = first.get(0).substring(0, first.get(0).lastIndexOf('.') + 1);
		for (int i = 1; i < parts.length; i++) {
			for (String sibling : codeSpans(parts[i])) {
				addIfProperty(names, base + (sibling.startsWith(".") ? sibling.substring(1) : sibling));
			}
		}
	}

	/**
	 * The README without its fenced code blocks, whose fences would pair up with the
	 * backticks of code spans.
	 */
	private static String prose(List<String> lines) {
		StringBuilder prose = new StringBuilder();
		boolean fenced = false;
		for (String line : lines) {
			if (line.strip().startsWith("```")) {
				fenced = !fenced;
			}
			else if (!fenced) {
				prose.append(line).append('\n');
			}
		}
		return prose.toString();
	}

	/**
	 * The names in the first column of the tables of the "Meters" and "Observations"
	 * sections, which look like properties.
	 */
	private static Set<String> meterNames(List<String> lines) {
		Set<String> meters = new LinkedHashSet<>();
		for (String section : List.of("### Meters", "### Observations")) {
			int start = lines.indexOf(section);
			if (start < 0) {
				throw new IllegalStateException("The documentation has no \"" + section + "\" section");
			}
			for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("#"); i++) {
				if (lines.get(i).startsWith("| `")) {
					meters.addAll(codeSpans(lines.get(i).split("\\|")[1]));
				}
			}
		}
		return meters;
	}

	static List<String> codeSpans(String text) {
		Matcher matcher = CODE_SPAN.matcher(text);
		return matcher.results().map((result) -> result.group(1)).toList();
	}

	/**
	 * The lines of README.md and of every page under docs/, one after the other.
	 */
	static List<String> documentation() throws IOException {
		Path readme = readme();
		List<String> lines = new ArrayList<>(Files.readAllLines(readme));
		Path docs = readme.resolveSibling("docs");
		try (Stream<Path> pages = Files.list(docs)) {
			for (Path page : pages.filter((path) -> path.toString().endsWith(".md")).sorted().toList()) {
				lines.addAll(Files.readAllLines(page));
			}
		}
		return lines;
	}

	/**
	 * The README at the root of the project, found from the module the tests run in.
	 */
	private static Path readme() {
		for (Path folder = Path.of("").toAbsolutePath(); folder != null; folder = folder.getParent()) {
			Path readme = folder.resolve("README.md");
			if (Files.isRegularFile(readme)
					&& Files.isRegularFile(folder.resolve("mqtt-session-autoconfigure/pom.xml"))) {
				return readme;
			}
		}
		throw new IllegalStateException("No README.md of the project above " + Path.of("").toAbsolutePath());
	}

}
