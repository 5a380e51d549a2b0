package io.github.mqttsession.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link MqttSessionConfigurationException} into a start-up report that says what
 * to change.
 */
class MqttSessionFailureAnalyzer extends AbstractFailureAnalyzer<MqttSessionConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, MqttSessionConfigurationException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
	}

}
