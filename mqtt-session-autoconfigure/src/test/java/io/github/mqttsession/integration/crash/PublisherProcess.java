package io.github.mqttsession.integration.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@link CrashingPublisher} running in a child JVM: its confirmed sends and the inbound
 * messages it handled as read from its standard output (a copy of which goes to a
 * {@code .protocol} file beside the log), its log in a file, and the means to kill it
 * with SIGKILL, terminate it with SIGTERM or stop it cleanly.
 */
final class PublisherProcess implements AutoCloseable {

	/** The child's main class, by name: this JVM need not load it. */
	private static final String MAIN_CLASS = "io.github.mqttsession.integration.crash.CrashingPublisher";

	private final Process process;

	private final Path log;

	private final Writer commands;

	private final Thread reader;

	private final NavigableSet<Integer> confirmed = new ConcurrentSkipListSet<>();

	private final AtomicInteger failedSends = new AtomicInteger();

	private final InboundReport inbound = new InboundReport();

	private volatile String lastFailure = "none";

	private volatile boolean ready;

	private volatile boolean endSent;

	private volatile boolean stopped;

	private PublisherProcess(Process process, Path log) {
		this.process = process;
		this.log = log;
		this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
		this.reader = new Thread(this::readProtocol, "crash-publisher-" + process.pid());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts a child JVM on the test's class path.
	 * @param log the file its standard error (its log) is appended to
	 * @param arguments the arguments of {@link CrashingPublisher#main}
	 * @return the running process
	 */
	static PublisherProcess start(Path log, List<String> arguments) {
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
						"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", ChildClassPath.get(), MAIN_CLASS));
		command.addAll(arguments);
		try {
			Files.createDirectories(log.getParent());
			Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
				.start();
			return new PublisherProcess(process, log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start the publisher JVM", ex);
		}
	}

	/**
	 * Waits until the application in the child has started.
	 * @param timeout how long it may take
	 */
	void awaitReady(Duration timeout) {
		await().atMost(timeout).until(() -> this.ready || !this.process.isAlive());
		assertThat(this.ready)
			.as(() -> "The publisher JVM exited with " + this.process.exitValue()
					+ " before its application started; its log ends with:\n" + logTail(80))
			.isTrue();
	}

	/**
	 * Whether the application in the child has started.
	 * @return {@code true} once it reported so
	 */
	boolean isReady() {
		return this.ready;
	}

	/**
	 * The child's process id.
	 * @return the id
	 */
	long pid() {
		return this.process.pid();
	}

	/**
	 * Writes the threads of the child, while it runs, into a file beside its log, for a
	 * diagnosis of a child that stopped making progress.
	 * @return where they are, or why they are not
	 */
	String dumpThreads() {
		if (!this.process.isAlive()) {
			return "(the child has exited)";
		}
		Path dump = this.log.resolveSibling(this.log.getFileName() + ".threads");
		try {
			Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
			Process dumping = new ProcessBuilder(jcmd.toString(), Long.toString(this.process.pid()), "Thread.print")
				.redirectErrorStream(true)
				.redirectOutput(dump.toFile())
				.start();
			dumping.waitFor(30, TimeUnit.SECONDS);
			return dump.toString();
		}
		catch (IOException ex) {
			return "(no thread dump: " + ex + ")";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "(no thread dump: interrupted)";
		}
	}

	/**
	 * Waits until the child has exited by itself, such as when its application failed to
	 * start.
	 * @param timeout how long it may take
	 * @return its exit code
	 */
	int awaitExit(Duration timeout) throws InterruptedException {
		assertThat(this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
			.as(() -> "the publisher JVM exited; its log ends with:\n" + logTail(40))
			.isTrue();
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
		return this.process.exitValue();
	}

	/**
	 * How many sends have returned so far.
	 * @return the count
	 */
	int confirmedCount() {
		return this.confirmed.size();
	}

	/**
	 * The sequence numbers whose send returned, as far as they have been read.
	 * @return a copy, ascending
	 */
	NavigableSet<Integer> confirmed() {
		return new TreeSet<>(this.confirmed);
	}

	/**
	 * How many send attempts threw.
	 * @return the count
	 */
	int failedSends() {
		return this.failedSends.get();
	}

	/**
	 * The last failed send as the child reported it.
	 * @return {@code ERR n reason}, or {@code none}
	 */
	String lastFailure() {
		return this.lastFailure;
	}

	/**
	 * Whether the child reported that the {@link CrashingPublisher#END} marker was sent.
	 * @return {@code true} once it was
	 */
	boolean endSent() {
		return this.endSent;
	}

	/**
	 * What the child's inbound flow reported.
	 * @return the report, growing as the child goes on
	 */
	InboundReport inbound() {
		return this.inbound;
	}

	/**
	 * Kills the child with SIGKILL and waits until it is gone and everything it wrote
	 * before has been read.
	 * @return its exit code, 137 after a SIGKILL
	 */
	int kill() throws InterruptedException {
		this.process.destroyForcibly();
		assertThat(this.process.waitFor(30, TimeUnit.SECONDS)).as("the killed publisher JVM exited").isTrue();
		this.reader.join(TimeUnit.SECONDS.toMillis(30));
		return this.process.exitValue();
	}

	/**
	 * Sends the child SIGTERM, which closes its application through Spring Boot's
	 * shutdown hook, and waits until it is gone and everything it wrote before has been
	 * read.
	 * @param timeout how long it may take to exit
	 * @return its exit code, 143 after a SIGTERM
	 */
	int terminate(Duration timeout) throws InterruptedException {
		// Through the handle: Process.destroy() also closes this side's pipes, and the
		// sends that return while the application stops would go unread
		this.process.toHandle().destroy();
		assertThat(this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
			.as(() -> "the publisher JVM exited within " + timeout + " of SIGTERM; its log ends with:\n" + logTail(60))
			.isTrue();
		this.reader.join(TimeUnit.SECONDS.toMillis(30));
		return this.process.exitValue();
	}

	/**
	 * The child's whole log.
	 * @return its text
	 */
	String log() {
		try {
			return Files.readString(this.log, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Lets a child in {@code publish} mode send the messages up to a sequence number.
	 * @param sequence the last sequence number it may send
	 */
	void allowUpTo(int sequence) throws IOException {
		command("UPTO " + sequence);
	}

	/**
	 * Sends a command line to the child.
	 * @param command {@code UPTO n}, {@code END} or {@code STOP}
	 */
	void command(String command) throws IOException {
		this.commands.write(command + "\n");
		this.commands.flush();
	}

	/**
	 * Stops the child cleanly and checks that it said so and exited with 0.
	 */
	void stop() throws IOException, InterruptedException {
		command("STOP");
		assertThat(this.process.waitFor(30, TimeUnit.SECONDS)).as("the publisher JVM stopped within 30 s").isTrue();
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(this.stopped)
			.as(() -> "the publisher JVM closed its application; its log ends with:\n" + logTail(40))
			.isTrue();
		assertThat(this.process.exitValue()).isZero();
	}

	/**
	 * The last lines of the child's log.
	 * @param lines how many
	 * @return the lines, joined
	 */
	String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(the log " + this.log + " cannot be read: " + ex + ")";
		}
	}

	/** Kills the child if it still runs, so that nothing outlives the test. */
	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
	}

	private void readProtocol() {
		Path transcript = this.log.resolveSibling(this.log.getFileName() + ".protocol");
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8));
				Writer copy = Files.newBufferedWriter(transcript, StandardCharsets.UTF_8)) {
			for (String line = lines.readLine(); line != null; line = lines.readLine()) {
				copy.write(line + "\n");
				if (this.inbound.read(line)) {
					continue;
				}
				if (line.equals("SENT " + CrashingPublisher.END)) {
					this.endSent = true;
				}
				else if (line.startsWith("SENT ")) {
					this.confirmed.add(Integer.valueOf(line.substring(5)));
				}
				else if (line.startsWith("ERR ")) {
					this.failedSends.incrementAndGet();
					this.lastFailure = line;
				}
				else if (line.equals("READY")) {
					this.ready = true;
				}
				else if (line.equals("STOPPED")) {
					this.stopped = true;
				}
			}
		}
		catch (IOException ex) {
			// The child is gone; what it wrote before has been read
		}
	}

}
