package io.github.mqttsession.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import io.github.mqttsession.integration.SessionExpiry;
import io.github.mqttsession.store.IdleSessionCleanup;
import io.github.mqttsession.store.SessionStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.task.ThreadPoolTaskSchedulerBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Auto-configuration of the {@link SessionStore}: JPA on the application's DataSource
 * when Hibernate is present, in memory otherwise, and neither when the application
 * defines a store of its own. Also the scheduler of the session's periodic work (lease
 * renewal, expiry, connect retries), {@value #TASK_SCHEDULER_BEAN_NAME}.
 * <p>
 * Ordered after Boot's task auto-configurations: the scheduler is an {@code Executor} and
 * a {@code TaskScheduler}, and defined first it would make Boot's
 * {@code applicationTaskExecutor} and {@code taskScheduler} back off.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration" })
@EnableConfigurationProperties(MqttSessionProperties.class)
@Import({ SessionStoreConfigurations.Jpa.class, SessionStoreConfigurations.InMemory.class,
		SessionStoreConfigurations.JpaUnavailable.class })
public final class SessionStoreAutoConfiguration {

	static final String STORE_PROPERTY = "mqtt.session.store";

	/**
	 * The name of the scheduler bean of the session's periodic work; an application's
	 * bean of this name wins.
	 */
	public static final String TASK_SCHEDULER_BEAN_NAME = "mqttSessionTaskScheduler";

	/**
	 * A scheduler of the session's own, not the application's shared
	 * {@code taskScheduler} (one thread by default): a poller blocked there would let the
	 * lease on the session run out. It accepts tasks until it is destroyed, after the
	 * client managers and the expiry that use it have stopped, so that the lease is
	 * renewed until the client gives it up.
	 */
	@Bean(TASK_SCHEDULER_BEAN_NAME)
	@ConditionalOnMissingBean(name = TASK_SCHEDULER_BEAN_NAME)
	ThreadPoolTaskScheduler mqttSessionTaskScheduler(ObjectProvider<ThreadPoolTaskSchedulerBuilder> builder) {
		ThreadPoolTaskScheduler scheduler = builder.getIfAvailable(ThreadPoolTaskSchedulerBuilder::new)
			.poolSize(2)
			.threadNamePrefix("mqtt-session-")
			.build();
		scheduler.setAcceptTasksAfterContextClose(true);
		scheduler.setRemoveOnCancelPolicy(true);
		return scheduler;
	}

	@Bean
	@ConditionalOnProperty("mqtt.session.expiry")
	@ConditionalOnMissingBean
	SessionExpiry mqttSessionExpiry(SessionStore sessionStore, MqttSessionProperties properties,
			@Qualifier(TASK_SCHEDULER_BEAN_NAME) TaskScheduler taskScheduler) {
		Duration expiry = properties.getExpiry();
		Duration interval = properties.getCleanupInterval();
		if (expiry.isNegative() || expiry.isZero()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.expiry", expiry,
					"It must be positive, such as 7d; leave it unset to keep sessions until deleted.");
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new InvalidConfigurationPropertyValueException("mqtt.session.cleanup-interval", interval,
					"It must be positive, such as 1h.");
		}
		IdleSessionCleanup cleanup = sessionStore.feature(IdleSessionCleanup.class)
			.orElseThrow(() -> new MqttSessionConfigurationException(
					"mqtt.session.expiry is set, but the session store " + sessionStore.getClass().getName()
							+ " cannot delete idle sessions: it does not implement "
							+ IdleSessionCleanup.class.getName() + ".",
					"Implement IdleSessionCleanup (deleteSessionsIdleSince) in the store, or unset mqtt.session.expiry.",
					null));
		return new SessionExpiry(cleanup, expiry, interval, Clock.systemUTC(), taskScheduler);
	}

}
