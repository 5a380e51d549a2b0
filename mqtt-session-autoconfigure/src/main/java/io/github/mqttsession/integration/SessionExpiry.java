package io.github.mqttsession.integration;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;

/**
 * Deletes, at a fixed interval, the sessions not updated for longer than the expiry and not leased by a running
 * instance. Each run is one call of {@link SessionStore#deleteSessionsIdleSince}, which the JPA store does in one
 * DELETE, so several instances may run it at once.
 */
public class SessionExpiry implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(SessionExpiry.class);

	private final SessionStore store;

	private final Duration expiry;

	private final Duration interval;

	private final Clock clock;

	private final AtomicLong expiredSessions = new AtomicLong();

	private volatile ScheduledExecutorService executor;

	/**
	 * Creates a cleanup.
	 * @param store the store
	 * @param expiry sessions idle for longer are deleted
	 * @param interval how often to run
	 * @param clock the clock
	 */
	public SessionExpiry(SessionStore store, Duration expiry, Duration interval, Clock clock) {
		this.store = store;
		this.expiry = expiry;
		this.interval = interval;
		this.clock = clock;
	}

	/**
	 * Deletes the expired sessions now.
	 * @return how many were deleted
	 */
	public int deleteExpiredSessions() {
		int deleted = this.store.deleteSessionsIdleSince(this.clock.instant().minus(this.expiry));
		if (deleted > 0) {
			this.expiredSessions.addAndGet(deleted);
			logger.info("Deleted " + deleted + " MQTT sessions not updated for " + this.expiry
					+ " (mqtt.session.expiry), with their pending messages");
		}
		return deleted;
	}

	/**
	 * How many sessions expiry deleted since start.
	 * @return the count
	 */
	public long getExpiredSessionCount() {
		return this.expiredSessions.get();
	}

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "mqtt-session-expiry");
			thread.setDaemon(true);
			return thread;
		});
		executor.scheduleWithFixedDelay(this::runSafely, 0, this.interval.toMillis(), TimeUnit.MILLISECONDS);
		this.executor = executor;
	}

	private void runSafely() {
		try {
			deleteExpiredSessions();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not delete expired MQTT sessions; trying again in " + this.interval, ex);
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.executor;
		this.executor = null;
		if (executor != null) {
			executor.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

}
