package io.github.mqttsession.integration.crash;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

/**
 * What the inbound flow of a child JVM reported on its standard output
 * ({@link io.github.mqttsession.integration.crash.app.InboundRecorder}): the messages it
 * finished handling, the one its handler blocks in, the stored QoS 2 messages its session
 * let go of, the transaction it halted after, and its subscriptions.
 */
final class InboundReport {

	private final List<String> handled = new CopyOnWriteArrayList<>();

	private final Set<String> released = ConcurrentHashMap.newKeySet();

	private final Set<String> committed = ConcurrentHashMap.newKeySet();

	private final AtomicInteger subscriptions = new AtomicInteger();

	private volatile @Nullable String handling;

	/**
	 * Takes in a line of the child's output if it is one of the inbound flow's.
	 * @param line the line
	 * @return whether it was
	 */
	boolean read(String line) {
		if (line.startsWith("HANDLED ")) {
			this.handled.add(line.substring(8));
		}
		else if (line.startsWith("HANDLING ")) {
			this.handling = line.substring(9);
		}
		else if (line.startsWith("COMMITTED ")) {
			this.committed.add(line.substring(10));
		}
		else if (line.startsWith("RELEASED ")) {
			this.released.add(line.substring(9));
		}
		else if (line.equals("SUBSCRIBED")) {
			this.subscriptions.incrementAndGet();
		}
		else {
			return false;
		}
		return true;
	}

	/**
	 * The payloads of the messages whose handling completed, in order, each time it did.
	 * @return a copy
	 */
	List<String> handled() {
		return List.copyOf(this.handled);
	}

	/**
	 * The payload whose handler blocks, once it was handed over.
	 * @return the payload, absent until then
	 */
	@Nullable String handling() {
		return this.handling;
	}

	/**
	 * Whether the session let go of the stored QoS 2 message with a payload, right before
	 * its client sends PUBCOMP.
	 * @param payload the payload
	 * @return {@code true} once it did
	 */
	boolean released(String payload) {
		return this.released.contains(payload);
	}

	/**
	 * Whether the transaction that handled the message with a payload committed, right
	 * before the JVM halted.
	 * @param payload the payload
	 * @return {@code true} once it did
	 */
	boolean committed(String payload) {
		return this.committed.contains(payload);
	}

	/**
	 * How often the inbound adapter reported its subscription.
	 * @return the count
	 */
	int subscriptions() {
		return this.subscriptions.get();
	}

}
