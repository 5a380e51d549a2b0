package io.github.mqttsession.integration;

import java.io.EOFException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

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

	/** Why a client whose session was taken over refuses to connect. */
	static final String NOT_RECONNECTING = "The session was taken over, by another client with the same client id"
			+ " at the broker or by another instance at the session store; the client does not reconnect until it is"
			+ " started again";

	private volatile boolean takenOver;

	private volatile Runnable connectCheck = () -> {
	};

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
		if (record(url, "connect " + kind(failure, reasonCode), cause)) {
			logger.warn("MQTT client '" + this.clientId + "' could not connect to " + url + ": " + cause
					+ (this.reconnects ? "; it keeps trying, and publishes are stored until it succeeds" : ""));
		}
	}

	/**
	 * Records the loss of the connection.
	 * @param url the broker URL the client was connected to; absent for the one it was
	 * last reported connected to
	 * @param failure what Paho reported
	 * @param reasonCode the reason code of Paho's exception, or 0 when it has none
	 */
	public void connectionLost(@Nullable String url, Throwable failure, int reasonCode) {
		connectionLost(url, kind(failure, reasonCode), describe(failure, reasonCode));
	}

	/**
	 * Records the loss of the connection.
	 * @param lostUrl the broker URL the client was connected to; absent for the one it
	 * was last reported connected to
	 * @param kind what kind of failure it is: a kind already logged since the client was
	 * last connected is only counted
	 * @param cause what went wrong, as a person reads it
	 */
	public void connectionLost(@Nullable String lostUrl, String kind, String cause) {
		// Paho reports a loss on the thread that read it, and a connect's success on its
		// callback thread: the loss of a connection may come before the news of it
		String url = (lostUrl != null) ? lostUrl : connectedUrl();
		// Logged even when a reconnect that failed the same way was recorded first: Paho
		// may try again before its callback thread reports the loss
		if (record(url, "lost " + kind, cause)) {
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
		ConnectFailure recorded = stopConnecting(
				"the session was taken over by another client with the same client id: " + how + "; not reconnecting",
				true);
		if (recorded == null) {
			return;
		}
		String url = recorded.url();
		logger.error("MQTT client '" + this.clientId + "' lost its session at " + url
				+ " to another client with the same client id: " + how + ". It stops reconnecting, which would"
				+ " throw the other client off and be thrown off in turn; publishes are stored meanwhile. Find the"
				+ " other client that uses the client id '" + this.clientId + "' and stop it, or give this application"
				+ " another mqtt.client.client-id; a restart of the application connects again.");
	}

	/**
	 * Records that this instance lost the lease on the client's session (the session's
	 * persistence logged it), and makes the client's connect attempts fail from now on,
	 * until {@link #clearTakeover()}: connected, it would throw the new owner off the
	 * broker.
	 * @param how what happened, as a person reads it
	 * @param takenOver whether another instance is known to have taken the session over,
	 * rather than the lease having run out while the store could not be reached
	 */
	public void leaseLost(String how, boolean takenOver) {
		stopConnecting(how + (takenOver ? "; not reconnecting until the client is started again"
				: "; reconnecting once the store confirms the lease"), takenOver);
	}

	/**
	 * Records why the client does not connect until it is started again, unless a reason
	 * was recorded already.
	 * @param cause the reason, as a person reads it
	 * @param takenOver whether another client or instance is known to have the session
	 * @return the failure recorded; absent when one was recorded already
	 */
	private synchronized @Nullable ConnectFailure stopConnecting(String cause, boolean takenOver) {
		if (this.takenOver) {
			return null;
		}
		Instant since = (this.last != null) ? this.last.since() : this.clock.instant();
		int attempts = (this.last != null) ? this.last.attempts() + 1 : 1;
		this.last = new ConnectFailure(connectedUrl(), cause, since, attempts, takenOver);
		this.connectedUrl = null;
		this.takenOver = true;
		return this.last;
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
	 * Sets the check run before every connect attempt, such as a renewal of the session's
	 * lease that finds it lost.
	 * @param check the check; it reports a loss through {@link #leaseLost} and does not
	 * throw
	 */
	void checkBeforeConnects(Runnable check) {
		this.connectCheck = check;
	}

	/**
	 * Whether the client may connect now: not once its session was taken over, by another
	 * client at the broker or by another instance at the store, until it is started
	 * again. Runs the {@linkplain #checkBeforeConnects check} first.
	 * @return {@code true} when it may
	 */
	boolean mayConnect() {
		this.connectCheck.run();
		return !this.takenOver;
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
	 * Records a successful connect, unless the connection was lost already: Paho may
	 * report the loss before the connect's success, and the loss stands.
	 * @param url the broker URL connected to
	 * @param stillConnected whether the client is connected now; asked under the lock
	 * that a loss is recorded under, after the client reads as disconnected
	 */
	public void connected(String url, BooleanSupplier stillConnected) {
		ConnectFailure cleared;
		synchronized (this) {
			if (!stillConnected.getAsBoolean()) {
				return;
			}
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

	private static @Nullable SSLException tlsFailure(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof SSLException tls) {
				return tls;
			}
		}
		return null;
	}

	/**
	 * A failed handshake names the TLS failure and where the trust comes from: the JDK
	 * puts the reason for a certificate it does not trust in a cause of the
	 * {@link SSLException}, not in the exception itself.
	 */
	private static String describeTls(SSLException tls, Throwable root) {
		String reason = (root != tls && root.getMessage() != null) ? root.getMessage() : tls.getMessage();
		String description = "TLS failure: " + reason;
		if (root instanceof CertPathBuilderException || root instanceof CertPathValidatorException) {
			return description + " (the client does not trust the broker's certificate: the SSL bundle of"
					+ " mqtt.client.ssl.bundle, or without one the JVM's default trust store, must hold the"
					+ " certificate authority that signed it)";
		}
		if (root instanceof CertificateException && reason != null && reason.startsWith("No ")) {
			return description + " (the broker's certificate does not name the host of the broker URL)";
		}
		return description;
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
		SSLException tls = tlsFailure(failure);
		if (tls != null) {
			return describeTls(tls, root);
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
