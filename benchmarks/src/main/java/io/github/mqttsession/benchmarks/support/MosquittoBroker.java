package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.Folders;
import io.github.mqttsession.testsupport.FreePort;

/**
 * Debian's Mosquitto as a child process on loopback, when a {@code mosquitto} binary is
 * on the PATH (or named by the environment variable {@code MOSQUITTO}). The broker most
 * users run, as an optional second target.
 */
public final class MosquittoBroker implements Broker {

	private final Path home;

	private final int port;

	private final Process process;

	private final String version;

	private MosquittoBroker(Path binary, Path parent) throws IOException {
		Files.createDirectories(parent);
		this.home = Files.createTempDirectory(parent, "mosquitto-");
		this.port = FreePort.find();
		Path configuration = this.home.resolve("mosquitto.conf");
		Files.writeString(configuration, """
				listener %d 127.0.0.1
				allow_anonymous true
				persistence false
				max_queued_messages 100000
				max_inflight_messages 0
				log_dest none
				""".formatted(this.port));
		this.version = versionOf(binary);
		this.process = new ProcessBuilder(binary.toString(), "-c", configuration.toString()).redirectErrorStream(true)
			.redirectOutput(this.home.resolve("mosquitto.log").toFile())
			.start();
		awaitListening();
	}

	/**
	 * Starts Mosquitto when it is installed.
	 * @param parent where its configuration goes
	 * @return the broker, or empty when no {@code mosquitto} binary is found
	 */
	public static Optional<MosquittoBroker> startIfInstalled(Path parent) {
		Optional<Path> binary = locate();
		if (binary.isEmpty()) {
			return Optional.empty();
		}
		try {
			return Optional.of(new MosquittoBroker(binary.get(), parent));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not start " + binary.get(), ex);
		}
	}

	private static Optional<Path> locate() {
		String named = System.getenv("MOSQUITTO");
		if (named != null && Files.isExecutable(Path.of(named))) {
			return Optional.of(Path.of(named));
		}
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String folder : path.split(java.io.File.pathSeparator)) {
			for (String candidate : new String[] { folder + "/mosquitto",
					folder.replace("/bin", "/sbin") + "/mosquitto" }) {
				Path binary = Path.of(candidate);
				if (Files.isExecutable(binary)) {
					return Optional.of(binary);
				}
			}
		}
		return Optional.empty();
	}

	private static String versionOf(Path binary) {
		try {
			Process help = new ProcessBuilder(binary.toString(), "-h").redirectErrorStream(true).start();
			String text = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			help.waitFor(5, TimeUnit.SECONDS);
			Matcher matcher = Pattern.compile("version (\\S+)").matcher(text);
			return matcher.find() ? matcher.group(1) : "?";
		}
		catch (IOException ex) {
			return "?";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "?";
		}
	}

	private void awaitListening() throws IOException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IOException("mosquitto exited with " + this.process.exitValue() + "; see "
						+ this.home.resolve("mosquitto.log"));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				return;
			}
			catch (IOException ex) {
				try {
					Thread.sleep(50);
				}
				catch (InterruptedException interrupted) {
					Thread.currentThread().interrupt();
					throw new IOException("Interrupted while mosquitto was starting", interrupted);
				}
			}
		}
		throw new IOException("mosquitto did not listen on 127.0.0.1:" + this.port + " within 10 s");
	}

	@Override
	public String name() {
		return "Mosquitto " + this.version + " (child process, loopback)";
	}

	@Override
	public String url() {
		return "tcp://127.0.0.1:" + this.port;
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(5, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		Folders.deleteRecursively(this.home);
	}

}
