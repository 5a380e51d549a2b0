package io.github.mqttsession.integration;

import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.jspecify.annotations.Nullable;

/**
 * A Paho MQTT 3.1.1 client that reports the outcome of every connect attempt to
 * {@link ConnectionFailures}. Paho runs its automatic reconnects through
 * {@link #connect(MqttConnectOptions, Object, IMqttActionListener)} too, and otherwise
 * keeps their failures to itself.
 */
class ConnectReportingMqttv3Client extends MqttAsyncClient {

	private final ConnectionFailures failures;

	ConnectReportingMqttv3Client(String url, String clientId, MqttClientPersistence persistence,
			ConnectionFailures failures) throws MqttException {
		super(url, clientId, persistence);
		this.failures = failures;
	}

	@Override
	public IMqttToken connect(MqttConnectOptions options, Object userContext, IMqttActionListener callback)
			throws MqttException {
		if (!this.failures.mayConnect()) {
			// This instance lost its session's lease: connected, it would throw the new
			// owner off the broker
			throw new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION,
					new IllegalStateException(ConnectionFailures.NOT_RECONNECTING));
		}
		return super.connect(options, userContext, new Reporting(callback));
	}

	static int reasonCode(Throwable failure) {
		return (failure instanceof MqttException mqtt) ? mqtt.getReasonCode() : 0;
	}

	private final class Reporting implements IMqttActionListener {

		private final @Nullable IMqttActionListener callback;

		Reporting(@Nullable IMqttActionListener callback) {
			this.callback = callback;
		}

		@Override
		public void onSuccess(IMqttToken token) {
			ConnectReportingMqttv3Client.this.failures.connected(getCurrentServerURI(),
					ConnectReportingMqttv3Client.this::isConnected);
			if (this.callback != null) {
				this.callback.onSuccess(token);
			}
		}

		@Override
		public void onFailure(IMqttToken token, Throwable failure) {
			ConnectReportingMqttv3Client.this.failures.connectFailed(getCurrentServerURI(), failure,
					reasonCode(failure));
			if (this.callback != null) {
				this.callback.onFailure(token, failure);
			}
		}

	}

}
