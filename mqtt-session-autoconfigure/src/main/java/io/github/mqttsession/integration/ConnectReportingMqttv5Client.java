package io.github.mqttsession.integration;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.jspecify.annotations.Nullable;

import org.springframework.integration.mqtt.support.MqttUtils;

/**
 * A Paho MQTT 5 client that reports the outcome of every connect attempt to
 * {@link ConnectionFailures}. Paho runs its automatic reconnects through
 * {@link #connect(MqttConnectionOptions, Object, MqttActionListener)} too, and otherwise
 * keeps their failures to itself.
 * <p>
 * Once another client took the session over, every connect fails at once, Paho's
 * reconnects included, and stops Paho's reconnect cycle: see
 * {@link ConnectionFailures#sessionTakenOver(String)}.
 */
class ConnectReportingMqttv5Client extends MqttAsyncClient {

	private final ConnectionFailures failures;

	ConnectReportingMqttv5Client(String url, String clientId, MqttClientPersistence persistence,
			ConnectionFailures failures) throws MqttException {
		super(url, clientId, persistence);
		this.failures = failures;
	}

	@Override
	public IMqttToken connect(MqttConnectionOptions options, Object userContext, MqttActionListener callback)
			throws MqttException {
		if (!this.failures.mayConnect()) {
			// Paho starts its reconnect timer after the client's callback has heard of
			// the loss, so the callback cannot stop it; the timer's attempt does, and
			// fails
			MqttUtils.stopClientReconnectCycle(this);
			throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION,
					new IllegalStateException(ConnectionFailures.NOT_RECONNECTING));
		}
		return super.connect(options, userContext, new Reporting(callback));
	}

	static int reasonCode(Throwable failure) {
		return (failure instanceof MqttException mqtt) ? mqtt.getReasonCode() : 0;
	}

	private final class Reporting implements MqttActionListener {

		private final @Nullable MqttActionListener callback;

		Reporting(@Nullable MqttActionListener callback) {
			this.callback = callback;
		}

		@Override
		public void onSuccess(IMqttToken token) {
			ConnectReportingMqttv5Client.this.failures.connected(getCurrentServerURI(),
					ConnectReportingMqttv5Client.this::isConnected);
			if (this.callback != null) {
				this.callback.onSuccess(token);
			}
		}

		@Override
		public void onFailure(IMqttToken token, Throwable failure) {
			ConnectReportingMqttv5Client.this.failures.connectFailed(getCurrentServerURI(), failure,
					reasonCode(failure));
			if (this.callback != null) {
				this.callback.onFailure(token, failure);
			}
		}

	}

}
