package io.github.mqttsession.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * The session store cannot be set up as configured. Reported at start-up by
 * {@link MqttSessionFailureAnalyzer} with what to change.
 */
public class MqttSessionConfigurationException extends RuntimeException {

	private final String action;

	/**
	 * Creates an exception.
	 * @param description what is wrong
	 * @param action what to do about it
	 * @param cause the underlying failure, if any
	 */
	public MqttSessionConfigurationException(String description, String action, @Nullable Throwable cause) {
		super(description, cause);
		this.action = action;
	}

	/**
	 * What to do about it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
