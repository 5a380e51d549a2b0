package io.github.mqttsession.benchmarks;

import java.util.Arrays;
import java.util.List;

/**
 * How big a run is: the full run docs/benchmarks.md quotes, or {@code --quick} for
 * iterating on the harness.
 *
 * @param quick whether this is the quick run
 * @param rounds interleaved rounds of the publish benchmark
 * @param warmupMessages messages published before each measurement
 * @param warmupSeconds the longest a warm-up may take
 * @param messages messages measured per variant and round
 * @param measureSeconds the longest a measurement may take: slow durable variants measure
 * fewer messages
 * @param restartMessages pending messages of the restart benchmark
 * @param acknowledgeSeconds how long the restart benchmark waits for every resent message
 * to be acknowledged
 * @param parts which parts run: {@code publish}, {@code adapter}, {@code transactional},
 * {@code store}, {@code restart}
 */
public record Settings(boolean quick, int rounds, int warmupMessages, double warmupSeconds, int messages,
		double measureSeconds, int restartMessages, double acknowledgeSeconds, List<String> parts) {

	/** Every part. */
	public static final List<String> ALL_PARTS = List.of("publish", "adapter", "transactional", "store", "restart");

	/**
	 * Reads the command line: {@code --quick}, and
	 * {@code --only=publish,adapter,transactional,store,restart} to run some parts.
	 * @param args the arguments
	 * @return the settings
	 */
	public static Settings parse(String[] args) {
		boolean quick = false;
		List<String> parts = ALL_PARTS;
		for (String arg : args) {
			if (arg.equals("--quick")) {
				quick = true;
			}
			else if (arg.startsWith("--only=")) {
				parts = Arrays.asList(arg.substring("--only=".length()).split(","));
				if (!ALL_PARTS.containsAll(parts)) {
					throw new IllegalArgumentException("--only takes " + ALL_PARTS + ", not " + parts);
				}
			}
			else {
				throw new IllegalArgumentException(
						"Unknown argument '" + arg + "'; use --quick and/or --only=" + String.join(",", ALL_PARTS));
			}
		}
		return quick ? new Settings(true, 3, 300, 1, 2_000, 2, 5_000, 5, parts)
				: new Settings(false, 3, 2_000, 2, 20_000, 8, 60_000, 30, parts);
	}

	/**
	 * Whether a part runs.
	 * @param part the part
	 * @return {@code true} when it runs
	 */
	public boolean runs(String part) {
		return this.parts.contains(part);
	}

}
