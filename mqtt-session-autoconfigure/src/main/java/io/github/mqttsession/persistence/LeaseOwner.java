package io.github.mqttsession.persistence;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.mqttsession.store.SessionLeasing;
import org.jspecify.annotations.Nullable;

/**
 * The name an instance holds leases under unless one is configured,
 * {@code host:pid@startEpochMillis}, and what such a name tells about the process that
 * holds a lease. The process id tells two instances on one host apart; the start time
 * tells a process from a later one under the same id (in a container the application is
 * often process 1 at every start). A lease held under such a name by a process of this
 * host that no longer runs can be taken over at once, without waiting for it to run out.
 */
public final class LeaseOwner {

	/**
	 * Host names are cut to this length, so that a default name always fits
	 * {@link SessionLeasing#MAX_OWNER_LENGTH}.
	 */
	static final int MAX_HOST_LENGTH = 200;

	/**
	 * Host, process id, start: greedy in the host, since an IPv6 address contains colons.
	 */
	private static final Pattern NAME = Pattern.compile("(.+):(\\d{1,18})@(\\d{1,18})");

	private static volatile @Nullable String thisHost;

	private LeaseOwner() {
	}

	/**
	 * The default owner name of this process: {@code host:pid@startEpochMillis}.
	 * @return the name
	 */
	public static String ofThisProcess() {
		ProcessHandle self = ProcessHandle.current();
		// Where the platform cannot tell a process's start, the JVM's start keeps the
		// name unique over restarts
		long started = startMillis(self).orElseGet(() -> ManagementFactory.getRuntimeMXBean().getStartTime());
		return thisHost() + ":" + self.pid() + "@" + started;
	}

	/**
	 * Whether an owner name is the default name of a process on this host that no longer
	 * runs: no process has its id, or the one that has started at another time. A
	 * configured name, a process on another host, and one whose start the platform cannot
	 * tell count as running.
	 * @param owner the owner of a lease
	 * @return {@code true} when that process is gone
	 */
	public static boolean isGoneFromThisHost(String owner) {
		Matcher name = NAME.matcher(owner);
		if (!name.matches() || !name.group(1).equals(thisHost())) {
			return false;
		}
		long started = Long.parseLong(name.group(3));
		Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(name.group(2)));
		if (process.isEmpty() || !process.get().isAlive()) {
			return true;
		}
		Optional<Long> processStarted = startMillis(process.get());
		return processStarted.isPresent() && processStarted.get() != started;
	}

	private static Optional<Long> startMillis(ProcessHandle process) {
		return process.info().startInstant().map(Instant::toEpochMilli);
	}

	/**
	 * This host's name: the {@code HOSTNAME} variable (a container's or pod's name), else
	 * the resolved name.
	 */
	static String thisHost() {
		String host = thisHost;
		if (host == null) {
			host = System.getenv("HOSTNAME");
			if (host == null || host.isBlank()) {
				host = resolvedHostName();
			}
			host = host.substring(0, Math.min(host.length(), MAX_HOST_LENGTH));
			thisHost = host;
		}
		return host;
	}

	private static String resolvedHostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (IOException ex) {
			return "localhost";
		}
	}

}
