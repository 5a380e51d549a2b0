package io.github.mqttsession.integration;

import java.io.EOFException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import javax.net.ssl.SSLException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Remembers why an MQTT client is not connected, and logs it at WARN when that changes: a
 * failed connect attempt or a lost connection is logged with the broker URL and the
 * cause, once per URL and kind of cause until the client is connected again; further
 * attempts that fail the same way (Paho's automatic reconnects,
 * {@link FirstConnectRetry}) are only counted. Connecting again after a failure is logged
 * at INFO and clears it.
 * <p>
 * A session another client took over, connecting with the same client id, is logged at
 * ERROR, once: the client then refuses to reconnect (its connect attempts fail at once)
 * until it is started again, for each reconnect would throw the other client off, and be
 * thrown off in turn, without end.
 */
public final class ConnectionFailures {

	private static final Log logger = LogFactory.getLog(ConnectionFailures.class);

	/**
	 * The highest CONNACK return code (MQTT 3.1.1) or reason code (MQTT 5); Paho's own
	 * codes start at 32000.
	 */
	private static final int HIGHEST_BROKER_CODE = 255;

	private final String clientId;

	private final boolean reconnects;

	private final Clock clock;

	private @Nullable ConnectFailure last;

	private final Set<String> logged = new HashSet<>();

	private @Nullable String connectedUrl;

	private volatile boolean takenOver;

	/** Whether a possible takeover was reported since the client was last started. */
	private boolean takeoverSuspected;

	/**
	 * Creates the record of one client.
	 * @param clientId the client id, for the log
	 * @param reconnects whether the client keeps trying after a failure (automatic
	 * reconnect)
	 */
	public ConnectionFailures(String clientId, boolean reconnects) {
		this(clientId, reconnects, Clock.systemUTC());
	}

	ConnectionFailures(String clientId, boolean reconnects, Clock clock) {
		this.clientId = clientId;
		this.reconnects = reconnects;
		this.clock = clock;
	}

	/**
	 * Records a failed connect attempt.
	 * @param url the broker URL tried
	 * @param failure what Paho reported
	 * @param reasonCode the reason code of Paho's exception, or 0 when it has none
	 */
	public void connectFailed(String url, Throwable failure, int reasonCode) {
		String cause = describe(failure, reasonCode);
		if (record(url, kind(failure, reasonCode), cause)) {
			logger.warn("MQTT client '" + this.clientId + "' could not connect to " + url + ": " + cause
					+ (this.reconnects ? "; it keeps trying, and publishes are stored until it succeeds" : ""));
		}
	}

	/**
	 * Records the loss of the connection.
	 * @param failure what Paho reported
	 * @param reasonCode the reason code of Paho's exception, or 0 when it has none
	 */
	public void connectionLost(Throwable failure, int reasonCode) {
		connectionLost(kind(failure, reasonCode), describe(failure, reasonCode));
	}

	/**
	 * Records the loss of the connection.
	 * @param kind what kind of failure it is: a kind already logged since the client was
	 * last connected is only counted
	 * @param cause what went wrong, as a person reads it
	 */
	public void connectionLost(String kind, String cause) {
		String url = connectedUrl();
		if (record(url, kind, cause)) {
			logger.warn("MQTT client '" + this.clientId + "' lost its connection to " + url + ": " + cause
					+ (this.reconnects ? "; it keeps trying to reconnect, and publishes are stored until it succeeds"
							: ""));
		}
	}

	/**
	 * Records that another client took the session over, logs it at ERROR with what to
	 * do, and makes the client's connect attempts fail from now on, until
	 * {@link #clearTakeover()}.
	 * @param how how the takeover showed, as a person reads it
	 */
	public void sessionTakenOver(String how) {
		String url;
		synchronized (this) {
			if (this.takenOver) {
				return;
			}
			url = connectedUrl();
			Instant since = (this.last != null) ? this.last.since() : this.clock.instant();
			int attempts = (this.last != null) ? this.last.attempts() + 1 : 1;
			this.last = new ConnectFailure(url, "the session was taken over by another client with the same client id: "
					+ how + "; not reconnecting", since, attempts, true);
			this.connectedUrl = null;
			this.takenOver = true;
		}
		logger.error("MQTT client '" + this.clientId + "' lost its session at " + url
				+ " to another client with the same client id: " + how + ". It stops reconnecting, which would"
				+ " throw the other client off and be thrown off in turn; publishes are stored meanwhile. Find the"
				+ " other client that uses the client id '" + this.clientId + "' and stop it, or give this application"
				+ " another mqtt.client.client-id; a restart of the application connects again.");
	}

	/**
	 * Reports, once per start of the client, a pattern of lost connections that another
	 * client with the same client id makes on MQTT 3.1.1, which has no reason code to say
	 * so; the client keeps reconnecting, since a network that drops connections right
	 * after they are made looks the same, and giving up would leave the application
	 * offline for good.
	 * @param how what was seen
	 */
	public void sessionPossiblyTakenOver(String how) {
		String url;
		synchronized (this) {
			if (this.takeoverSuspected) {
				return;
			}
			this.takeoverSuspected = true;
			url = connectedUrl();
		}
		logger.error("MQTT client '" + this.clientId + "' may be losing its session at " + url
				+ " to another client with the same client id: " + how + ". It keeps reconnecting; if another"
				+ " client uses the client id '" + this.clientId + "', stop it or give this application another"
				+ " mqtt.client.client-id.");
	}

	/**
	 * Whether another client took the session over since the client was last started.
	 * @return {@code true} when taken over
	 */
	public boolean isTakenOver() {
		return this.takenOver;
	}

	/**
	 * Forgets a takeover when the client is started again, so that it connects.
	 */
	public void clearTakeover() {
		this.takenOver = false;
		synchronized (this) {
			this.takeoverSuspected = false;
		}
	}

	/** The URL the client was last connected to, as a log names it. */
	private synchronized String connectedUrl() {
		return (this.connectedUrl != null) ? this.connectedUrl : "the broker";
	}

	/**
	 * Records a successful connect.
	 * @param url the broker URL connected to
	 */
	public void connected(String url) {
		ConnectFailure cleared;
		synchronized (this) {
			cleared = this.last;
			this.last = null;
			this.logged.clear();
			this.connectedUrl = url;
		}
		if (cleared != null) {
			logger.info("MQTT client '" + this.clientId + "' connected to " + url + " after " + cleared.attempts()
					+ " failed attempt(s) since " + cleared.since());
		}
	}

	/**
	 * Why the client is not connected.
	 * @return the last failure since the client was last connected; absent when there is
	 * none
	 */
	public synchronized @Nullable ConnectFailure last() {
		return this.last;
	}

	/**
	 * Remembers the failure; {@code true} when it is the first of its URL and kind since
	 * the client was last connected, and is to be logged. Failures differ by kind, not by
	 * the wording of the message: a reset connection reads "Connection reset" on one
	 * attempt and "Connection reset by peer" on the next.
	 */
	private synchronized boolean record(String url, String kind, String cause) {
		Instant since = (this.last != null) ? this.last.since() : this.clock.instant();
		int attempts = (this.last != null) ? this.last.attempts() + 1 : 1;
		this.last = new ConnectFailure(url, cause, since, attempts, false);
		this.connectedUrl = null;
		return this.logged.add(url + " " + kind);
	}

	/**
	 * The type of the root cause, and the broker's return code: what makes a failure
	 * another one.
	 */
	private static String kind(Throwable failure, int reasonCode) {
		return rootCause(failure).getClass().getName() + (isBrokerCode(reasonCode) ? "/" + reasonCode : "");
	}

	private static boolean isBrokerCode(int reasonCode) {
		return reasonCode > 0 && reasonCode <= HIGHEST_BROKER_CODE;
	}

	private static Throwable rootCause(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root;
	}

	/**
	 * Says what went wrong the way a person looks for it: the broker's refusal with its
	 * return code, or the network's root cause ({@code Connection refused}, an unknown
	 * host, a failed TLS handshake).
	 * @param failure what Paho reported
	 * @param reasonCode the reason code of Paho's exception, or 0 when it has none
	 * @return the description
	 */
	public static String describe(Throwable failure, int reasonCode) {
		if (isBrokerCode(reasonCode)) {
			return "the broker refused the connection: " + failure.getMessage() + " (return code " + reasonCode + ")";
		}
		Throwable root = rootCause(failure);
		if (root instanceof UnknownHostException) {
			return "unknown host " + root.getMessage();
		}
		if (root instanceof SSLException) {
			return "TLS failure: " + root.getMessage();
		}
		if (root instanceof EOFException) {
			return "the broker closed the connection";
		}
		if (root == failure) {
			// Paho's own exception without a cause: its message says it, such as a
			// timeout waiting for the broker
			return failure.getMessage() + ((reasonCode != 0) ? " (reason code " + reasonCode + ")" : "");
		}
		return (root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName();
	}

}
