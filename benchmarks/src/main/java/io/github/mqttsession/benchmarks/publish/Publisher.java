package io.github.mqttsession.benchmarks.publish;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import io.github.mqttsession.benchmarks.support.CpuTime;
import io.github.mqttsession.testsupport.CountingDataSource;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Publishes QoS 1 messages through a bare Paho MQTT 3.1.1 {@link MqttAsyncClient} with a
 * given persistence, from one or more threads, keeping at most {@code window} messages in
 * flight.
 * <p>
 * The window is Paho's max-inflight and a semaphore of as many permits: a publisher takes
 * a permit before it publishes and the delivery listener gives it back. Paho calls the
 * listener after it removed the message from the persistence and lowered its in-flight
 * count, so a freed permit never meets a full Paho window; with one thread and in-order
 * PUBACKs this is "wait for the oldest token when the window is full".
 * ({@code waitForCompletion} returns before Paho lowers its count, and would make the
 * next publish fail with "too many publishes in progress".)
 */
final class Publisher {

	private static final long TIMEOUT_SECONDS = 600;

	private final String url;

	private final byte[] payload;

	Publisher(String url, byte[] payload) {
		this.url = url;
		this.payload = payload;
	}

	/**
	 * Connects a client with the persistence, publishes the warm-up messages, then
	 * measures.
	 * @param clientId the client id
	 * @param persistence the persistence under measure
	 * @param counting the counting DataSource of a database variant, or {@code null}
	 * @param threads publishing threads
	 * @param window messages in flight at most
	 * @param warmup messages published before measuring
	 * @param warmupSeconds the longest the warm-up may take; it stops publishing then
	 * @param messages messages measured
	 * @param measureSeconds the longest the measurement may take; it stops publishing
	 * then
	 * @return what was measured
	 * @throws Exception when the client fails
	 */
	Measurement run(String clientId, MqttClientPersistence persistence, PublishGate gate, CountingDataSource counting,
			int threads, int window, int warmup, double warmupSeconds, int messages, double measureSeconds)
			throws Exception {
		TimedPersistence timed = new TimedPersistence(persistence);
		MqttAsyncClient client = new MqttAsyncClient(this.url, clientId, timed);
		try {
			MqttConnectOptions options = new MqttConnectOptions();
			options.setCleanSession(false);
			options.setMaxInflight(window);
			options.setAutomaticReconnect(false);
			options.setKeepAliveInterval(60);
			options.setConnectionTimeout(30);
			client.connect(options).waitForCompletion(30_000);
			String topic = "bench/" + clientId;
			publish(client, gate, topic, threads, window, warmup, warmupSeconds);
			timed.reset();
			if (counting != null) {
				counting.reset();
			}
			long[] cpu = { CpuTime.thisJvm(), CpuTime.processes("postgres"), CpuTime.processes("mosquitto") };
			Phase measured = publish(client, gate, topic, threads, window, messages, measureSeconds);
			double jvmCpu = perMessage(CpuTime.thisJvm(), cpu[0], measured.messages);
			double postgresCpu = perMessage(CpuTime.processes("postgres"), cpu[1], measured.messages);
			double mosquittoCpu = perMessage(CpuTime.processes("mosquitto"), cpu[2], measured.messages);
			double seconds = measured.nanos / 1e9;
			long count = measured.messages;
			double statements = (counting != null) ? (double) counting.statementCount() / count : Double.NaN;
			double commits = (counting != null) ? (double) counting.commitCount() / count : Double.NaN;
			return new Measurement(count / seconds, count, micros(timed.putNanos(), timed.puts()),
					micros(timed.removeNanos(), timed.removes()), (double) timed.removes() / count, statements, commits,
					measured.retries, jvmCpu, postgresCpu, mosquittoCpu);
		}
		finally {
			try {
				if (client.isConnected()) {
					client.disconnect(1_000).waitForCompletion(10_000);
				}
			}
			finally {
				client.close();
			}
		}
	}

	private static double perMessage(long nanosAfter, long nanosBefore, long messages) {
		return (nanosBefore < 0 || messages == 0) ? Double.NaN : (nanosAfter - nanosBefore) / 1e3 / messages;
	}

	private static double micros(long nanos, long count) {
		return (count == 0) ? Double.NaN : nanos / 1e3 / count;
	}

	private Phase publish(MqttAsyncClient client, PublishGate gate, String topic, int threads, int window, int messages,
			double maxSeconds) throws Exception {
		Semaphore permits = new Semaphore(window);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		LongAdder retries = new LongAdder();
		LongAdder issued = new LongAdder();
		IMqttActionListener listener = new IMqttActionListener() {

			@Override
			public void onSuccess(IMqttToken token) {
				permits.release();
			}

			@Override
			public void onFailure(IMqttToken token, Throwable exception) {
				failure.compareAndSet(null, exception);
				permits.release();
			}

		};
		CyclicBarrier start = new CyclicBarrier(threads + 1);
		long[] deadline = new long[1];
		Thread[] publishers = new Thread[threads];
		for (int t = 0; t < threads; t++) {
			int share = messages / threads + ((t < messages % threads) ? 1 : 0);
			publishers[t] = new Thread(() -> {
				try {
					start.await();
					for (int i = 0; i < share && failure.get() == null && System.nanoTime() < deadline[0]; i++) {
						permits.acquire();
						publishOne(client, gate, topic, listener, permits, retries);
						issued.increment();
					}
				}
				catch (Throwable ex) {
					failure.compareAndSet(null, ex);
				}
			}, "publisher-" + t);
			publishers[t].start();
		}
		long begin = System.nanoTime();
		deadline[0] = begin + (long) (maxSeconds * 1e9);
		start.await();
		for (Thread publisher : publishers) {
			publisher.join();
		}
		// Every permit back means nothing is in flight any more: the last acknowledgement
		// has been handled
		if (!permits.tryAcquire(window, TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
			throw new IllegalStateException((window - permits.availablePermits()) + " messages were not acknowledged"
					+ " within " + TIMEOUT_SECONDS + " s");
		}
		long nanos = System.nanoTime() - begin;
		permits.release(window);
		if (failure.get() != null) {
			throw new IllegalStateException("Publishing failed: " + failure.get(), failure.get());
		}
		return new Phase(nanos, issued.sum(), retries.sum());
	}

	private void publishOne(MqttAsyncClient client, PublishGate gate, String topic, IMqttActionListener listener,
			Semaphore permits, LongAdder retries) throws MqttException {
		while (true) {
			try {
				gate.publish(() -> client.publish(topic, this.payload, 1, false, null, listener));
				return;
			}
			catch (MqttException ex) {
				if (ex.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
					permits.release();
					throw ex;
				}
				retries.increment();
				LockSupport.parkNanos(20_000);
			}
		}
	}

	private record Phase(long nanos, long messages, long retries) {
	}

}
