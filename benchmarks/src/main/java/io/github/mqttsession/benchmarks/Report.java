package io.github.mqttsession.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the rows of {@code results.csv} and the sections of {@code RESULTS.md} as the
 * parts of a run finish, and writes them over what an earlier run left: a part this run
 * has not written keeps its section and rows from the earlier files, so that
 * {@code --only} replaces only its own parts.
 */
public final class Report {

	private final String provenance;

	private final PreviousResults previous;

	private final List<ResultRow> rows = new ArrayList<>();

	private final Map<String, StringBuilder> sections = new HashMap<>();

	private StringBuilder current;

	/**
	 * Creates a report.
	 * @param provenance the line under each section's heading that names this run
	 * @param previous what the files held before this run
	 */
	public Report(String provenance, PreviousResults previous) {
		this.provenance = provenance;
		this.previous = previous;
	}

	/**
	 * Adds a CSV row.
	 * @param row the row; its benchmark name starts with its part, such as
	 * {@code adapter/}
	 */
	public synchronized void add(ResultRow row) {
		this.rows.add(row);
	}

	/**
	 * Starts the section of a part: its heading and the line that names this run. Text
	 * added next goes there.
	 * @param part the part, one of {@link Settings#ALL_PARTS}
	 * @param title the heading's text after its number
	 */
	public synchronized void section(String part, String title) {
		this.current = new StringBuilder();
		this.sections.put(part, this.current);
		this.current.append("## ")
			.append(PreviousResults.number(part))
			.append(". ")
			.append(title)
			.append("\n\n")
			.append(this.provenance)
			.append("\n\n");
	}

	/**
	 * Adds text to the current section of RESULTS.md.
	 * @param text Markdown
	 */
	public synchronized void markdown(String text) {
		if (this.current == null) {
			throw new IllegalStateException("No section started");
		}
		this.current.append(text);
		if (!text.endsWith("\n")) {
			this.current.append('\n');
		}
		this.current.append('\n');
	}

	/**
	 * Writes both files, replacing what is there: the parts this run wrote come from this
	 * run, the others from the files as they were when the run started. Called after each
	 * part, so a failing later part leaves the earlier results.
	 * @param folder the benchmarks folder
	 * @param header what goes before the sections
	 */
	public synchronized void write(Path folder, String header) {
		StringBuilder md = new StringBuilder(header).append('\n');
		StringBuilder csv = new StringBuilder(ResultRow.HEADER).append('\n');
		for (String part : Settings.ALL_PARTS) {
			if (this.sections.containsKey(part)) {
				md.append(this.sections.get(part));
				this.rows.stream()
					.filter((row) -> row.benchmark().startsWith(part + "/"))
					.forEach((row) -> csv.append(row.toCsv()).append('\n'));
			}
			else {
				md.append(this.previous.section(part));
				this.previous.rows(part).forEach((line) -> csv.append(line).append('\n'));
			}
		}
		try {
			Files.writeString(folder.resolve("results.csv"), csv);
			Files.writeString(folder.resolve("RESULTS.md"), md);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A number for a Markdown table: thousands separated, sensible precision.
	 * @param value the number
	 * @return the text
	 */
	public static String number(double value) {
		if (Double.isNaN(value)) {
			return "—";
		}
		double magnitude = Math.abs(value);
		if (magnitude >= 100) {
			return String.format(Locale.ROOT, "%,.0f", value);
		}
		if (magnitude >= 10) {
			return String.format(Locale.ROOT, "%.1f", value);
		}
		if (magnitude >= 1) {
			return String.format(Locale.ROOT, "%.2f", value);
		}
		return String.format(Locale.ROOT, "%.3f", value);
	}

	/**
	 * A ratio for a Markdown table.
	 * @param value the ratio
	 * @return the text, such as {@code 0.08×}
	 */
	public static String ratio(double value) {
		if (Double.isNaN(value)) {
			return "—";
		}
		return String.format(Locale.ROOT, (value >= 10) ? "%.1f×" : (value >= 0.1) ? "%.2f×" : "%.3f×", value);
	}

}
