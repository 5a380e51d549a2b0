package io.github.mqttsession.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects the rows of {@code results.csv} and the sections of {@code RESULTS.md} as the parts of a run finish. */
public final class Report {

	private final List<ResultRow> rows = new ArrayList<>();

	private final StringBuilder markdown = new StringBuilder();

	/**
	 * Adds a CSV row.
	 * @param row the row
	 */
	public synchronized void add(ResultRow row) {
		this.rows.add(row);
	}

	/**
	 * Adds text to RESULTS.md.
	 * @param text Markdown
	 */
	public synchronized void markdown(String text) {
		this.markdown.append(text);
		if (!text.endsWith("\n")) {
			this.markdown.append('\n');
		}
		this.markdown.append('\n');
	}

	/**
	 * Writes both files, replacing what is there. Called after each part, so a failing later part leaves the
	 * earlier results.
	 * @param folder the benchmarks folder
	 * @param header what goes before the sections
	 */
	public synchronized void write(Path folder, String header) {
		StringBuilder csv = new StringBuilder(ResultRow.HEADER).append('\n');
		this.rows.forEach((row) -> csv.append(row.toCsv()).append('\n'));
		try {
			Files.writeString(folder.resolve("results.csv"), csv);
			Files.writeString(folder.resolve("RESULTS.md"), header + "\n" + this.markdown);
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
