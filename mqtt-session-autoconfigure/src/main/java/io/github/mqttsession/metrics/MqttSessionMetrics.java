package io.github.mqttsession.metrics;

import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * The meters of durable MQTT sessions: a gauge of the pending messages each MQTT client's
 * session holds, bound per {@link SessionClientManager}, and counters of what the session
 * persistence does, which it hears as a {@link SessionPersistenceListener}. Every meter
 * is tagged with the {@code client.id}.
 * <ul>
 * <li>{@value #PENDING}: pending messages the session holds now</li>
 * <li>{@value #PERSISTED}: messages written to the store durably, tagged with their
 * {@code state}</li>
 * <li>{@value #ACKNOWLEDGED}: messages completed and let go of, written or not, tagged
 * with their {@code state}</li>
 * <li>{@value #RESTORED}: pending messages found in the store when a client started, to
 * be sent again</li>
 * <li>{@value #DROPPED}: messages never sent that were discarded to keep the session
 * within its cap</li>
 * <li>{@value #EXPIRED}: messages published while the broker was unreachable that were
 * discarded unsent because their expiry passed</li>
 * </ul>
 */
public class MqttSessionMetrics implements MeterBinder, SessionPersistenceListener {

	/** The gauge of pending messages. */
	public static final String PENDING = "mqtt.session.messages.pending";

	/** The counter of messages stored. */
	public static final String PERSISTED = "mqtt.session.messages.persisted";

	/** The counter of messages completed and let go of, written or not. */
	public static final String ACKNOWLEDGED = "mqtt.session.messages.acknowledged";

	/** The counter of pending messages restored from the store when a client started. */
	public static final String RESTORED = "mqtt.session.messages.restored";

	/** The counter of messages dropped by the overflow policy. */
	public static final String DROPPED = "mqtt.session.messages.dropped";

	/** The counter of buffered messages dropped because their expiry passed. */
	public static final String EXPIRED = "mqtt.session.messages.expired";

	private static final String CLIENT_ID = "client.id";

	private final MeterRegistry registry;

	private final Supplier<Stream<SessionClientManager>> clients;

	/**
	 * Creates the meters' source.
	 * @param registry where the counters are registered
	 * @param clients the application's MQTT clients, asked for when the gauges are bound
	 */
	public MqttSessionMetrics(MeterRegistry registry, Supplier<Stream<SessionClientManager>> clients) {
		this.registry = registry;
		this.clients = clients;
	}

	/**
	 * Binds a gauge of pending messages per MQTT client.
	 * @param registry the registry to bind to
	 */
	@Override
	public void bindTo(MeterRegistry registry) {
		this.clients.get()
			.forEach((client) -> Gauge.builder(PENDING, client, SessionClientManager::pendingMessageCount)
				.description("Pending messages the MQTT session holds")
				.tag(CLIENT_ID, client.getClientId())
				.strongReference(true)
				.register(registry));
	}

	@Override
	public void persisted(String clientId, PendingMessage message) {
		counter(PERSISTED, "Messages the MQTT session wrote to its store durably", clientId, message.state())
			.increment();
	}

	@Override
	public void removed(String clientId, PendingMessage.State state, int packetId) {
		counter(ACKNOWLEDGED, "Messages the MQTT session completed and let go of", clientId, state).increment();
	}

	@Override
	public void droppedByOverflow(String clientId, PendingMessage message) {
		Counter.builder(DROPPED)
			.description("Messages never sent that the MQTT session discarded to stay within its cap")
			.tag(CLIENT_ID, clientId)
			.register(this.registry)
			.increment();
	}

	@Override
	public void expired(String clientId, PendingMessage message) {
		Counter.builder(EXPIRED)
			.description("Messages published while the broker was unreachable that the MQTT session discarded unsent"
					+ " because their expiry passed")
			.tag(CLIENT_ID, clientId)
			.register(this.registry)
			.increment();
	}

	@Override
	public void restored(String clientId, int pendingMessages) {
		Counter.builder(RESTORED)
			.description("Pending messages restored from the store when the MQTT client started, to be sent again")
			.tag(CLIENT_ID, clientId)
			.register(this.registry)
			.increment(pendingMessages);
	}

	private Counter counter(String name, String description, String clientId, PendingMessage.State state) {
		return Counter.builder(name)
			.description(description)
			.tag(CLIENT_ID, clientId)
			.tag("state", state.name())
			.register(this.registry);
	}

}
