package io.github.mqttsession.testsupport;

import java.util.List;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxy;

/**
 * A log event that may fail a test: logged at ERROR, or carrying an exception at any
 * level.
 *
 * @param level the level
 * @param logger the logger's name
 * @param thread the name of the thread that logged it
 * @param message the formatted message
 * @param throwable the exception it carries, or {@code null}
 */
record LoggedEvent(Level level, String logger, String thread, String message, Throwable throwable) {

	/**
	 * Loggers of the brokers and databases the tests run in process: they log from their
	 * own threads, which outlive single tests, about clients that tests cut off on
	 * purpose. What they log is theirs, not the starter's. Netty is HiveMQ's network
	 * layer (nothing else in the tests uses it) and logs a client's closed channel as it
	 * sees fit.
	 */
	private static final List<String> THIRD_PARTY_SERVERS = List.of("com.hivemq", "io.moquette", "io.netty", "io.zonky",
			"org.postgresql");

	private static final int FRAMES_PER_EXCEPTION = 6;

	/**
	 * The event as a problem, or {@code null} when it is none: below ERROR without an
	 * exception, or logged by one of the in-process servers.
	 * @param event the event
	 * @return the problem or {@code null}
	 */
	static LoggedEvent problemOrNull(ILoggingEvent event) {
		IThrowableProxy proxy = event.getThrowableProxy();
		if (!event.getLevel().isGreaterOrEqual(Level.ERROR) && proxy == null) {
			return null;
		}
		String logger = event.getLoggerName();
		for (String server : THIRD_PARTY_SERVERS) {
			if (logger.equals(server) || logger.startsWith(server + ".")) {
				return null;
			}
		}
		Throwable throwable = (proxy instanceof ThrowableProxy throwableProxy) ? throwableProxy.getThrowable() : null;
		if (subscribeCutShortByALostConnection(event.getFormattedMessage(), throwable)) {
			return null;
		}
		return new LoggedEvent(event.getLevel(), logger, event.getThreadName(), event.getFormattedMessage(), throwable);
	}

	/**
	 * Whether Spring Integration's inbound adapter reports, at ERROR, a subscribe that
	 * the connection's loss, or the client's stop, cut short: the adapter subscribes
	 * again on the next connect, so this is the loss or the stop, which tests cause on
	 * purpose (an application closed right after it started) and at times meet while a
	 * broker resets a connection, not a defect of the starter.
	 */
	private static boolean subscribeCutShortByALostConnection(String message, Throwable throwable) {
		if (!message.startsWith("Error subscribing to ")) {
			return false;
		}
		for (Throwable cause = throwable; cause != null; cause = (cause.getCause() != cause) ? cause.getCause()
				: null) {
			if ((cause instanceof org.eclipse.paho.client.mqttv3.MqttException v3 && (v3
				.getReasonCode() == org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_CONNECTION_LOST
					|| v3
						.getReasonCode() == org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_CLIENT_DISCONNECTING))
					|| (cause instanceof org.eclipse.paho.mqttv5.common.MqttException v5 && (v5
						.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_CONNECTION_LOST
							|| v5
								.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_CLIENT_DISCONNECTING))) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether the declaration covers this event.
	 * @param declaration the declaration
	 * @return {@code true} when every attribute it gives matches
	 */
	boolean matches(ExpectedLog declaration) {
		if (declaration.level() != ExpectedLog.Level.ANY && !declaration.level().name().equals(this.level.toString())) {
			return false;
		}
		String logger = declaration.logger();
		if (!logger.isEmpty() && !this.logger.equals(logger) && !this.logger.startsWith(logger + ".")) {
			return false;
		}
		if (!this.message.contains(declaration.message())) {
			return false;
		}
		boolean anyException = declaration.exception() == Throwable.class && declaration.exceptionMessage().isEmpty();
		return anyException || causedBy(declaration.exception(), declaration.exceptionMessage());
	}

	private boolean causedBy(Class<? extends Throwable> type, String text) {
		for (Throwable cause = this.throwable; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause) && (text.isEmpty() || String.valueOf(cause.getMessage()).contains(text))) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * The event as a report shows it: level, logger, thread, message, and each exception
	 * of the cause chain with its first frames.
	 * @return the description
	 */
	String describe() {
		StringBuilder text = new StringBuilder();
		text.append(this.level)
			.append(' ')
			.append(this.logger)
			.append(" [")
			.append(this.thread)
			.append("]: ")
			.append(this.message);
		String prefix = "";
		for (Throwable cause = this.throwable; cause != null; cause = cause.getCause()) {
			text.append("\n      ").append(prefix).append(cause);
			StackTraceElement[] frames = cause.getStackTrace();
			for (int i = 0; i < Math.min(frames.length, FRAMES_PER_EXCEPTION); i++) {
				text.append("\n          at ").append(frames[i]);
			}
			prefix = "caused by: ";
			if (cause.getCause() == cause) {
				break;
			}
		}
		return text.toString();
	}

}
