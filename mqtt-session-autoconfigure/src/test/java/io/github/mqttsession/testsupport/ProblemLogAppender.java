package io.github.mqttsession.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;

/**
 * A Logback appender that hands every {@link LoggedEvent problem} logged in the test JVM
 * to the listeners of {@link UnexpectedLogExtension}. Declared in
 * {@code logback-test.xml}, so it is back after every Spring Boot application resets
 * Logback; the listeners are static for the same reason.
 */
public class ProblemLogAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

	private static final List<Consumer<LoggedEvent>> listeners = new CopyOnWriteArrayList<>();

	static void addListener(Consumer<LoggedEvent> listener) {
		listeners.add(listener);
	}

	static void removeListener(Consumer<LoggedEvent> listener) {
		listeners.remove(listener);
	}

	@Override
	protected void append(ILoggingEvent event) {
		if (listeners.isEmpty()) {
			return;
		}
		LoggedEvent problem = LoggedEvent.problemOrNull(event);
		if (problem != null) {
			for (Consumer<LoggedEvent> listener : listeners) {
				listener.accept(problem);
			}
		}
	}

}
