package io.github.mqttsession.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.github.mqttsession.integration.ConnectFailure;
import io.github.mqttsession.integration.SessionClientManager;
import io.github.mqttsession.persistence.StoreWriteFailure;
import io.github.mqttsession.store.SessionStore;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.Lifecycle;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * The health of durable MQTT sessions: {@code UP} while the {@link SessionStore} answers
 * and every MQTT client of the application is connected, {@code DOWN} otherwise.
 * <p>
 * The details name the store and what it answered ({@code store}), and each client by its
 * client id with {@code connected}, {@code disconnected} (running, and trying to
 * reconnect: publishes are stored meanwhile), {@code taken over} (another client
 * connected with the same client id, and this one no longer reconnects until it is
 * started again) or {@code stopped} ({@code clients}); a client that is not connected
 * because its connect attempts fail, or its connection was lost, is named again with the
 * broker URL, the cause, since when and how many attempts failed
 * ({@code lastConnectFailure}). The store is asked by loading the session of a client id
 * no client uses, {@value #PROBE_CLIENT_ID}, which reads and writes nothing else, on a
 * thread of its own: a store that does not answer within the store timeout is reported
 * unreachable, and the check does not wait for it any longer.
 * <p>
 * A client whose writes to the store failed, with none landing since, is named with the
 * error, since when and how many writes failed ({@code storeWriteFailure}); the health is
 * {@code DOWN} for it when the failure is newer than the previous check, or the store
 * does not answer: a failed write shows at the next check even when the store still
 * answers reads, and a failure that no write came after (the client idle since) stops
 * counting once a whole check interval found the store answering.
 */
public class MqttSessionHealthIndicator extends AbstractHealthIndicator {

	/** The client id whose session the check loads. */
	public static final String PROBE_CLIENT_ID = "mqtt-session-health-probe";

	/** How long a check waits for the store by default. */
	public static final Duration DEFAULT_STORE_TIMEOUT = Duration.ofSeconds(2);

	private final SessionStore store;

	private final StoreHealthCheck storeCheck;

	private final Supplier<Stream<SessionClientManager>> clients;

	private final Clock clock = Clock.systemUTC();

	/**
	 * When the previous check started; a write failure after it is news to this check.
	 */
	private volatile Instant previousCheck = Instant.MIN;

	/**
	 * Creates the indicator, waiting for the store {@link #DEFAULT_STORE_TIMEOUT} at
	 * most.
	 * @param store the store to check
	 * @param clients the MQTT clients of this application, asked for on every check
	 */
	public MqttSessionHealthIndicator(SessionStore store, Supplier<Stream<SessionClientManager>> clients) {
		this(store, clients, DEFAULT_STORE_TIMEOUT);
	}

	/**
	 * Creates the indicator.
	 * @param store the store to check
	 * @param clients the MQTT clients of this application, asked for on every check
	 * @param storeTimeout how long a check waits for the store to answer before it
	 * reports the store unreachable
	 */
	public MqttSessionHealthIndicator(SessionStore store, Supplier<Stream<SessionClientManager>> clients,
			Duration storeTimeout) {
		super("MQTT session health check failed");
		this.store = store;
		this.storeCheck = new StoreHealthCheck(store, PROBE_CLIENT_ID, storeTimeout, storeCheckExecutor());
		this.clients = clients;
	}

	private static SimpleAsyncTaskExecutor storeCheckExecutor() {
		// One short-lived thread per question, and one question out at a time; daemon, so
		// that a store that never answers does not keep the JVM alive
		SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("mqtt-session-health-");
		executor.setDaemon(true);
		return executor;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		Map<String, Object> store = new LinkedHashMap<>();
		store.put("type", this.store.getClass().getName());
		Instant started = this.clock.instant();
		Instant previous = this.previousCheck;
		this.previousCheck = started;
		boolean up = true;
		String error = this.storeCheck.check();
		if (error == null) {
			store.put("status", "reachable");
		}
		else {
			up = false;
			store.put("status", "unreachable");
			store.put("error", error);
		}
		Map<String, String> clients = new TreeMap<>();
		Map<String, Map<String, Object>> failures = new TreeMap<>();
		Map<String, Map<String, Object>> writeFailures = new TreeMap<>();
		for (SessionClientManager client : this.clients.get().toList()) {
			String state = state(client);
			clients.put(client.getClientId(), state);
			up &= state.equals("connected");
			ConnectFailure failure = client.lastConnectFailure();
			if (failure != null && !state.equals("connected")) {
				failures.put(client.getClientId(), details(failure));
			}
			StoreWriteFailure writeFailure = client.lastStoreWriteFailure();
			if (writeFailure != null) {
				writeFailures.put(client.getClientId(), details(writeFailure));
				up &= error == null && writeFailure.last().isBefore(previous);
			}
		}
		(up ? builder.up() : builder.down()).withDetail("store", store).withDetail("clients", clients);
		if (!failures.isEmpty()) {
			builder.withDetail("lastConnectFailure", failures);
		}
		if (!writeFailures.isEmpty()) {
			builder.withDetail("storeWriteFailure", writeFailures);
		}
	}

	private static Map<String, Object> details(StoreWriteFailure failure) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("error", failure.error());
		details.put("since", failure.since().toString());
		details.put("last", failure.last().toString());
		details.put("failedWrites", failure.failedWrites());
		return details;
	}

	private static Map<String, Object> details(ConnectFailure failure) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("url", failure.url());
		details.put("cause", failure.cause());
		details.put("since", failure.since().toString());
		details.put("attempts", failure.attempts());
		return details;
	}

	private static String state(SessionClientManager client) {
		if (client.isConnected()) {
			return "connected";
		}
		ConnectFailure failure = client.lastConnectFailure();
		if (failure != null && failure.takenOver()) {
			// Closed by then when another instance took its lease over
			return "taken over";
		}
		if (client instanceof Lifecycle lifecycle && !lifecycle.isRunning()) {
			return "stopped";
		}
		return "disconnected";
	}

}
