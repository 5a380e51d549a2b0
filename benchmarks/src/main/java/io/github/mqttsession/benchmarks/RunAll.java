package io.github.mqttsession.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.benchmarks.publish.AdapterThroughput;
import io.github.mqttsession.benchmarks.publish.PublishThroughput;
import io.github.mqttsession.benchmarks.publish.TransactionalSendsThroughput;
import io.github.mqttsession.benchmarks.restart.RestartCost;
import io.github.mqttsession.benchmarks.store.StoreOperationsSuite;
import io.github.mqttsession.benchmarks.support.MosquittoBroker;
import io.github.mqttsession.benchmarks.support.WriteLatency;
import io.github.mqttsession.testsupport.Broker;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.EmbeddedHiveMq;
import io.github.mqttsession.testsupport.Folders;
import io.github.mqttsession.testsupport.PostgresServer;

/**
 * Runs every benchmark of the issue and writes {@code RESULTS.md} and
 * {@code results.csv}: to the benchmarks folder in a full run, to its {@code target/}
 * folder with {@code --quick}. With {@code --only} it replaces the sections and rows of
 * the parts it runs and keeps the others. Started by {@code benchmarks/run}.
 */
public final class RunAll {

	/** The system property that names the benchmarks folder. */
	public static final String DIR_PROPERTY = "mqtt.bench.dir";

	/**
	 * The harness's logging set-up, a class path resource; forked JMH JVMs get it too.
	 */
	public static final String LOGBACK_CONFIGURATION = "benchmarks-logback.xml";

	private RunAll() {
	}

	/**
	 * Runs the benchmarks.
	 * @param args {@code --quick},
	 * {@code --only=publish,adapter,transactional,store,restart}
	 * @throws Exception when a part cannot even start
	 */
	public static void main(String[] args) throws Exception {
		// Ahead of HiveMQ's logback.xml, which is also on the class path
		System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
		Settings settings = Settings.parse(args);
		ZonedDateTime started = ZonedDateTime.now();
		long start = System.nanoTime();
		Path folder = Path.of(System.getProperty(DIR_PROPERTY, ".")).toAbsolutePath().normalize();
		Path output = settings.quick() ? Files.createDirectories(folder.resolve("target")) : folder;
		Path work = folder.resolve("target").resolve("benchmark-work");
		Folders.deleteRecursively(work);
		Files.createDirectories(work);
		String command = "benchmarks/run" + (args.length > 0 ? " " + String.join(" ", args) : "");
		List<Broker> brokers = new ArrayList<>();
		System.out.println("Starting PostgreSQL and HiveMQ ...");
		try (PostgresServer postgres = new PostgresServer(work)) {
			try {
				brokers.add(new EmbeddedHiveMq(work));
				Optional<MosquittoBroker> mosquitto = MosquittoBroker.startIfInstalled(work);
				mosquitto.ifPresent(brokers::add);
				String loadAtStart = Environment.loadAverage();
				// Read before the first write replaces them: the parts this run does not
				// measure keep their results
				Report report = new Report(PreviousResults.provenance(Environment.date(started), command, loadAtStart),
						PreviousResults.read(output));
				System.out.println("Measuring durable write latency ...");
				String latency;
				try (HikariDataSource pg = Databases.postgres(postgres.jdbcUrl());
						HikariDataSource h2 = Databases.newH2File(work)) {
					latency = WriteLatency.measure(pg, h2, work);
				}
				Part part = new Part(settings, work, postgres.jdbcUrl(), report);
				Runnable write = () -> report.write(output,
						Environment.describe(settings, started, Duration.ofNanos(System.nanoTime() - start), command,
								brokers, postgres.jdbcUrl(), work, loadAtStart) + latency);
				if (settings.runs("publish")) {
					report.section("publish", "End-to-end durable publish throughput");
					report.markdown(
							"A bare Paho MQTT 3.1.1 `MqttAsyncClient` (clean session off) publishes QoS 1 messages;"
									+ " one client per variant and round, variants interleaved round by round (each round starts"
									+ " at the next variant), a ratio is computed within its round and the median of the rounds"
									+ " quoted. A1 is A with each publisher waiting for its message's acknowledgement, as a"
									+ " publisher of the durable variants waits until its message is committed or acknowledged:"
									+ " with nothing durable, it shows what that wait alone costs. `put µs` is the mean time Paho spends in the persistence's `put`, on the"
									+ " publishing thread and inside Paho's queue lock; `remove µs` the mean per `remove` call,"
									+ " on Paho's callback thread (two calls per acknowledgement: the message key and an"
									+ " offline-buffer key that is never there). Every variant is wrapped alike to time these;"
									+ " the JPA variants count statements and commits through a DataSource proxy."
									+ " `lock busy` = put µs × msgs/s: the share of wall time Paho's queue lock is held by puts;"
									+ " `callback busy` the same for removes on the one callback thread."
									+ " `CPU µs/msg` is CPU time per measured message, user and system: of this JVM (the"
									+ " publishers, Paho's threads, the session's writer and, against HiveMQ, the broker), of"
									+ " PostgreSQL's processes and of Mosquitto's; the machine has two cores, so a variant whose"
									+ " messages cost twice the CPU cannot run at more than half the speed once the cores are"
									+ " busy.\n");
					PublishThroughput throughput = new PublishThroughput(part);
					for (Broker broker : brokers) {
						System.out.println("Part 1: publish throughput against " + broker.name());
						throughput.run(broker, brokerId(broker));
						write.run();
					}
				}
				if (settings.runs("adapter")) {
					report.section("adapter", "Through the auto-configured outbound adapter");
					AdapterThroughput adapter = new AdapterThroughput(part);
					for (Broker broker : brokers) {
						System.out.println("Part 1b: the outbound adapter against " + broker.name());
						report.markdown("### Against " + broker.name() + "\n");
						adapter.run(broker, brokerId(broker));
						write.run();
					}
				}
				if (settings.runs("transactional")) {
					report.section("transactional", "Transactional sends through the outbound adapter");
					TransactionalSendsThroughput transactional = new TransactionalSendsThroughput(part);
					for (Broker broker : brokers) {
						System.out.println("Part 1c: transactional sends against " + broker.name());
						report.markdown("### Against " + broker.name() + "\n");
						transactional.run(broker, brokerId(broker));
						write.run();
					}
				}
				if (settings.runs("store")) {
					System.out.println("Part 2: store operations (JMH)");
					report.section("store", "Store operations (JMH)");
					new StoreOperationsSuite(part).run();
					write.run();
				}
				if (settings.runs("restart")) {
					System.out.println("Part 3: restart cost");
					report.section("restart", "Restart cost");
					try {
						new RestartCost(settings, postgres.jdbcUrl(), report).run(brokers.get(0));
					}
					catch (Exception ex) {
						report.markdown("**failed:** " + ex);
						ex.printStackTrace();
					}
					write.run();
				}
				write.run();
				System.out.println("Wrote " + output.resolve("RESULTS.md") + " and " + output.resolve("results.csv"));
			}
			finally {
				brokers.forEach(Broker::close);
			}
		}
		finally {
			Folders.deleteRecursively(work);
		}
		// HiveMQ and Hibernate leave non-daemon threads behind
		System.exit(0);
	}

	private static String brokerId(Broker broker) {
		return broker.name().startsWith("Mosquitto") ? "mosquitto" : "hivemq";
	}

}
