package io.github.mqttsession.integration;

import java.net.SocketException;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link ConnectionFailures} logs, in whatever order Paho's threads report.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionFailuresTests {

	private static final String URL = "tcp://127.0.0.1:1883";

	@Test
	void aLossReportedAfterAReconnectThatFailedTheSameWayIsStillLoggedWithTheBrokerUrl(CapturedOutput output) {
		ConnectionFailures failures = new ConnectionFailures("sensor", true);
		failures.connected(URL, () -> true);
		failures.connectFailed(URL, new SocketException("Connection reset by peer"), 0);
		failures.connectionLost(null, new SocketException("Connection reset"), 0);
		failures.connectFailed(URL, new SocketException("Connection reset"), 0);
		failures.connectionLost(null, new SocketException("Connection reset"), 0);

		assertThat(warnings(output)).satisfiesExactly(
				(line) -> assertThat(line).contains("MQTT client 'sensor' could not connect to " + URL),
				(line) -> assertThat(line).contains("MQTT client 'sensor' lost its connection to " + URL));
		assertThat(failures.last().attempts()).isEqualTo(4);
	}

	@Test
	void aFailureIsLoggedAgainOnlyAfterAConnect(CapturedOutput output) {
		ConnectionFailures failures = new ConnectionFailures("sensor", true);
		failures.connected(URL, () -> true);
		failures.connectionLost(null, new SocketException("Connection reset"), 0);
		failures.connectFailed(URL, new SocketException("Connection refused"), 0);
		failures.connectFailed(URL, new SocketException("Connection refused"), 0);
		failures.connected(URL, () -> true);
		failures.connectionLost(null, new SocketException("Connection reset"), 0);

		assertThat(warnings(output)).hasSize(3);
		assertThat(failures.last().url()).isEqualTo(URL);
	}

	@Test
	void aLossReportedBeforeTheNewsOfItsConnectStands(CapturedOutput output) {
		ConnectionFailures failures = new ConnectionFailures("sensor", true);
		failures.connectionLost(URL, new SocketException("Connection reset"), 0);
		failures.connected(URL, () -> false);
		failures.connectFailed(URL, new SocketException("Connection reset"), 0);

		assertThat(warnings(output)).satisfiesExactly(
				(line) -> assertThat(line).contains("MQTT client 'sensor' lost its connection to " + URL),
				(line) -> assertThat(line).contains("MQTT client 'sensor' could not connect to " + URL));
		assertThat(output.getOut()).doesNotContain("connected to");
		assertThat(failures.last().attempts()).isEqualTo(2);
	}

	private static List<String> warnings(CapturedOutput output) {
		return output.getOut()
			.lines()
			.filter((line) -> line.contains(" WARN ") && line.contains("MQTT client 'sensor'"))
			.toList();
	}

}
