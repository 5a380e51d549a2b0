package io.github.mqttsession.integration;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicLong;

import io.github.mqttsession.store.IdleSessionCleanup;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;

/**
 * Deletes, at a fixed interval, the sessions not updated for longer than the expiry and
 * not leased by a running instance. Each run is one call of
 * {@link IdleSessionCleanup#deleteSessionsIdleSince}, which the JPA store does in one
 * DELETE, so several instances may run it at once. The runs are scheduled on the given
 * {@link TaskScheduler} while this lifecycle runs.
 */
public class SessionExpiry implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(SessionExpiry.class);

	private final IdleSessionCleanup store;

	private final Duration expiry;

	private final Duration interval;

	private final Clock clock;

	private final AtomicLong expiredSessions = new AtomicLong();

	private final TaskScheduler scheduler;

	private volatile @Nullable ScheduledFuture<?> runs;

	/**
	 * Creates a cleanup.
	 * @param store the store's deletion of idle sessions
	 * @param expiry sessions idle for longer are deleted
	 * @param interval how often to run
	 * @param clock the clock
	 * @param scheduler the scheduler the runs are scheduled on
	 */
	public SessionExpiry(IdleSessionCleanup store, Duration expiry, Duration interval, Clock clock,
			TaskScheduler scheduler) {
		this.store = store;
		this.expiry = expiry;
		this.interval = interval;
		this.clock = clock;
		this.scheduler = scheduler;
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
		this.runs = this.scheduler.scheduleWithFixedDelay(this::runSafely, this.interval);
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
		ScheduledFuture<?> runs = this.runs;
		this.runs = null;
		if (runs != null) {
			runs.cancel(false);
		}
	}

	@Override
	public boolean isRunning() {
		return this.runs != null;
	}

}
