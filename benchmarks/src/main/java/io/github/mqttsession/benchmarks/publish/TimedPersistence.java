package io.github.mqttsession.benchmarks.publish;

import java.util.Enumeration;
import java.util.concurrent.atomic.LongAdder;

import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttPersistable;
import org.eclipse.paho.client.mqttv3.MqttPersistenceException;

/**
 * Wraps every variant's persistence alike and adds up the time Paho spends in {@code put}
 * (on the publishing thread, inside Paho's queue lock) and in {@code remove} (on Paho's
 * callback thread, before the in-flight count drops): where the time of a durable publish
 * goes. Costs two clock reads per call.
 */
final class TimedPersistence implements MqttClientPersistence {

	private final MqttClientPersistence delegate;

	private final LongAdder puts = new LongAdder();

	private final LongAdder putNanos = new LongAdder();

	private final LongAdder removes = new LongAdder();

	private final LongAdder removeNanos = new LongAdder();

	TimedPersistence(MqttClientPersistence delegate) {
		this.delegate = delegate;
	}

	void reset() {
		this.puts.reset();
		this.putNanos.reset();
		this.removes.reset();
		this.removeNanos.reset();
	}

	long puts() {
		return this.puts.sum();
	}

	long putNanos() {
		return this.putNanos.sum();
	}

	long removes() {
		return this.removes.sum();
	}

	long removeNanos() {
		return this.removeNanos.sum();
	}

	@Override
	public void put(String key, MqttPersistable persistable) throws MqttPersistenceException {
		long start = System.nanoTime();
		try {
			this.delegate.put(key, persistable);
		}
		finally {
			this.putNanos.add(System.nanoTime() - start);
			this.puts.increment();
		}
	}

	@Override
	public void remove(String key) throws MqttPersistenceException {
		long start = System.nanoTime();
		try {
			this.delegate.remove(key);
		}
		finally {
			this.removeNanos.add(System.nanoTime() - start);
			this.removes.increment();
		}
	}

	@Override
	public void open(String clientId, String serverURI) throws MqttPersistenceException {
		this.delegate.open(clientId, serverURI);
	}

	@Override
	public void close() throws MqttPersistenceException {
		this.delegate.close();
	}

	@Override
	public MqttPersistable get(String key) throws MqttPersistenceException {
		return this.delegate.get(key);
	}

	@Override
	public Enumeration keys() throws MqttPersistenceException {
		return this.delegate.keys();
	}

	@Override
	public void clear() throws MqttPersistenceException {
		this.delegate.clear();
	}

	@Override
	public boolean containsKey(String key) throws MqttPersistenceException {
		return this.delegate.containsKey(key);
	}

}
