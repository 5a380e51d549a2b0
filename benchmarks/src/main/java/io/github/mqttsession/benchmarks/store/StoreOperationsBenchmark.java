package io.github.mqttsession.benchmarks.store;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.Subscription;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Part 2: the cost of one store operation on a session holding 0, 100 or 10,000 pending
 * messages, for each store and its baseline. Forks, warm-up and iterations are set by
 * {@link StoreOperationsSuite}. Every operation leaves the session as large as it found
 * it, so the size holds through a trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StoreOperationsBenchmark {

	/** The system property that names the folder for H2 files. */
	public static final String WORK_PROPERTY = "mqtt.bench.work";

	/** The store or baseline under measure. */
	@Param({ "memory", "map", "jpa-h2", "jdbc-h2", "jpa-postgres", "jdbc-postgres" })
	public String store;

	/** Pending messages the session holds. */
	@Param({ "0", "100", "10000" })
	public int pending;

	private SessionOperations operations;

	private PendingMessage extra;

	private MqttSession base;

	private MqttSession plusOne;

	private Subscription[] subscriptions;

	private int calls;

	/** Creates the store on an empty database and stores the session. */
	@Setup(Level.Trial)
	public void setUp() {
		Path work = Path.of(System.getProperty(WORK_PROPERTY, "target/benchmark-work"));
		this.operations = Fixtures.create(this.store, work, false).operations();
		this.base = Fixtures.session(this.pending);
		this.extra = Fixtures.message(this.pending + 1);
		this.plusOne = Fixtures.plus(this.base, this.extra);
		this.subscriptions = new Subscription[] { new Subscription("alarms/+", 1), new Subscription("alarms/+", 2) };
		this.operations.save(this.base);
		this.operations.load();
	}

	/** Closes the store. */
	@TearDown(Level.Trial)
	public void tearDown() {
		this.operations.close();
	}

	/**
	 * Stores a pending message and removes it again: what one acknowledged QoS 1 publish
	 * costs the store.
	 */
	@Benchmark
	public void addAndRemovePendingMessage() {
		this.operations.addPendingMessage(this.extra);
		this.operations.removePendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, this.extra.packetId());
	}

	/**
	 * Adds a subscription the session has, with the other QoS each time, so that each
	 * call writes.
	 */
	@Benchmark
	public void addSubscription() {
		this.operations.addSubscription(this.subscriptions[this.calls++ & 1]);
	}

	/**
	 * Loads the whole session.
	 * @return the session, for JMH to consume
	 */
	@Benchmark
	public MqttSession load() {
		return this.operations.load();
	}

	/**
	 * Saves a whole session that differs from the stored one by one message (added, then
	 * removed again).
	 */
	@Benchmark
	public void saveSessionChangedByOneMessage() {
		this.operations.save(((this.calls++ & 1) == 0) ? this.plusOne : this.base);
	}

}
