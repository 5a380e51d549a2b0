package io.github.mqttsession.persistence;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.SessionLeasing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default lease owner names host, process and start, and tells a gone process of this
 * host.
 */
class LeaseOwnerTests {

	@Test
	void theDefaultOwnerNamesHostProcessAndStartAndCountsAsRunning() {
		String owner = LeaseOwner.ofThisProcess();
		ProcessHandle self = ProcessHandle.current();
		assertThat(owner).isEqualTo(LeaseOwner.thisHost() + ":" + self.pid() + "@"
				+ self.info().startInstant().map(Instant::toEpochMilli).orElseThrow());
		assertThat(owner.length()).isLessThanOrEqualTo(SessionLeasing.MAX_OWNER_LENGTH);
		assertThat(LeaseOwner.isGoneFromThisHost(owner)).isFalse();
	}

	@Test
	void aProcessOfThisHostIsGoneOnceItExitedOrItsIdNamesALaterProcess() throws Exception {
		Process process = new ProcessBuilder("sleep", "60").start();
		try {
			long started = process.info().startInstant().orElseThrow().toEpochMilli();
			String owner = LeaseOwner.thisHost() + ":" + process.pid() + "@" + started;
			assertThat(LeaseOwner.isGoneFromThisHost(owner)).isFalse();
			// The same id under another start: the process that took the lease has gone,
			// another has its id
			String earlier = LeaseOwner.thisHost() + ":" + process.pid() + "@" + (started - 10_000);
			assertThat(LeaseOwner.isGoneFromThisHost(earlier)).isTrue();
			process.destroyForcibly();
			assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(LeaseOwner.isGoneFromThisHost(owner)).isTrue();
			// A process of another host may still run: only its lease running out tells
			assertThat(LeaseOwner
				.isGoneFromThisHost("another-" + LeaseOwner.thisHost() + ":" + process.pid() + "@" + started))
				.isFalse();
		}
		finally {
			process.destroyForcibly();
		}
	}

	@Test
	void aConfiguredOwnerCountsAsRunning() {
		assertThat(LeaseOwner.isGoneFromThisHost("instance-1")).isFalse();
		assertThat(LeaseOwner.isGoneFromThisHost(LeaseOwner.thisHost() + ":8080")).isFalse();
		assertThat(LeaseOwner.isGoneFromThisHost(LeaseOwner.thisHost())).isFalse();
	}

}
