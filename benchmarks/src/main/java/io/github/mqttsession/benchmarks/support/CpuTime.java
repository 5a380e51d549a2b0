package io.github.mqttsession.benchmarks.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by this JVM and by other processes on the machine, by command name
 * (PostgreSQL's server processes, a Mosquitto broker): where a variant spends the two
 * cores, per message.
 */
public final class CpuTime {

	/** Linux counts process CPU time in clock ticks of 10 ms ({@code USER_HZ} = 100). */
	private static final long NANOS_PER_TICK = 10_000_000L;

	private CpuTime() {
	}

	/**
	 * CPU time of every thread this JVM ran, finished ones included.
	 * @return nanoseconds, or -1 when the JVM cannot tell
	 */
	public static long thisJvm() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return -1;
	}

	/**
	 * CPU time (user and system) of the running processes with a command name, from
	 * {@code /proc}. Processes that ended are not counted, so measure across a span in
	 * which they keep running.
	 * @param command the command name, such as {@code postgres}
	 * @return nanoseconds, or -1 without {@code /proc}
	 */
	public static long processes(String command) {
		Path proc = Path.of("/proc");
		if (!Files.isDirectory(proc)) {
			return -1;
		}
		long ticks = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc, "[0-9]*")) {
			for (Path entry : entries) {
				try {
					String stat = Files.readString(entry.resolve("stat"));
					int open = stat.indexOf('(');
					int close = stat.lastIndexOf(')');
					if (!stat.substring(open + 1, close).equals(command)) {
						continue;
					}
					// After the command: state, ppid, ... utime is the 12th field, stime
					// the 13th
					String[] fields = stat.substring(close + 2).split(" ");
					ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
				}
				catch (IOException | RuntimeException ex) {
					// The process ended while being read
				}
			}
		}
		catch (IOException ex) {
			return -1;
		}
		return ticks * NANOS_PER_TICK;
	}

}
