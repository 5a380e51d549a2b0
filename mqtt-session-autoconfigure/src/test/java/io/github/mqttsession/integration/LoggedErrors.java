package io.github.mqttsession.integration;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Collects the events logged at ERROR while applications run, for a test to assert there
 * were none. Spring Boot resets Logback each time an application starts after another has
 * closed, which removes every appender; so this attaches its appender to the root logger
 * again at each start, before the context is refreshed.
 */
final class LoggedErrors implements ApplicationListener<ApplicationPreparedEvent>, AutoCloseable {

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	LoggedErrors() {
		this.appender.setName("logged-errors-" + System.identityHashCode(this));
		this.appender.start();
		attach();
	}

	@Override
	public void onApplicationEvent(ApplicationPreparedEvent event) {
		attach();
	}

	private void attach() {
		Logger root = root();
		if (root.getAppender(this.appender.getName()) == null) {
			this.appender.setContext(root.getLoggerContext());
			root.addAppender(this.appender);
		}
	}

	/**
	 * The events logged at ERROR so far, each as its logger, message and stack trace.
	 * @return the events
	 */
	List<String> errors() {
		synchronized (this.appender) {
			return this.appender.list.stream()
				.filter((event) -> event.getLevel().isGreaterOrEqual(Level.ERROR))
				.map((event) -> event.getLoggerName() + ": " + event.getFormattedMessage()
						+ ((event.getThrowableProxy() != null)
								? "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy()) : ""))
				.toList();
		}
	}

	@Override
	public void close() {
		root().detachAppender(this.appender);
		this.appender.stop();
	}

	private static Logger root() {
		LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
		return context.getLogger(Logger.ROOT_LOGGER_NAME);
	}

}
