package io.github.mqttsession.persistence;

import org.jspecify.annotations.Nullable;

/**
 * A publish found no room in the client's in-flight window within
 * {@code mqtt.outbound.send-timeout}, or could not wait for it; nothing of the message
 * was stored or sent.
 */
public class PublishTimeoutException extends IllegalStateException {

	/**
	 * Creates an exception.
	 * @param message what was refused, after how long, and what to change
	 * @param cause Paho's refusal, if there was one
	 */
	public PublishTimeoutException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
