package io.github.mqttsession.integration;

import java.time.Instant;

/**
 * Why an MQTT client is not connected: its last connect attempt failed, or its connection
 * was lost.
 *
 * @param url the broker URL of the last failure: the one it tried, or was connected to
 * @param cause what went wrong the last time, as a person reads it:
 * {@code Connection refused}, {@code unknown host broker},
 * {@code the broker refused the connection: Bad user name or password (return code 4)}
 * @param since when the client first failed since it was last connected
 * @param attempts how many connect attempts failed since then, a lost connection counting
 * as one
 * @param takenOver whether another client took the session over, connecting with the same
 * client id: the client then no longer reconnects until it is started again
 */
public record ConnectFailure(String url, String cause, Instant since, int attempts, boolean takenOver) {

}
