package io.github.mqttsession.integration.crash.app;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;
import org.springframework.integration.annotation.ServiceActivator;
import org.springframework.integration.mqtt.event.MqttSubscribedEvent;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.messaging.Message;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The inbound flow of the application the inbound crash tests kill: it handles each
 * message on {@code mqttInboundChannel} by reporting {@code HANDLED payload} on the
 * {@link ChildProtocol}, the application's own record of what it handled. A message whose
 * payload is {@code crash.block-on} is reported as {@code HANDLING payload} and never
 * handled: its handler blocks until the process is killed. {@code SUBSCRIBED} reports the
 * adapter's subscription, and {@code RELEASED payload} that the session let go of an
 * inbound QoS 2 message it had stored, which happens right before the client sends
 * PUBCOMP.
 * <p>
 * With a {@link JdbcTemplate}, the handler first inserts a row per message into the
 * application table {@code INBOUND_ROW}, on the transaction the flow runs in
 * ({@code mqtt.inbound.transactional}); a message whose payload is
 * {@code crash.halt-after-commit-of} halts the JVM right after that transaction
 * committed, before the client completes the message with the broker.
 */
public class InboundRecorder implements SessionPersistenceListener {

	private final PrintStream protocol = ChildProtocol.out();

	private final String blockOn;

	private final @Nullable JdbcTemplate jdbc;

	private final String clientId;

	private final String haltAfterCommitOf;

	private final Map<Integer, String> storedPayloads = new ConcurrentHashMap<>();

	/**
	 * Creates the flow.
	 * @param blockOn the payload whose handler blocks; empty for none
	 */
	public InboundRecorder(String blockOn) {
		this(blockOn, null, "", "");
	}

	/**
	 * Creates the flow that writes a row per message into the application's table.
	 * @param blockOn the payload whose handler blocks, after its row; empty for none
	 * @param jdbc the application's database, absent for none
	 * @param clientId the client id the rows are written for
	 * @param haltAfterCommitOf the payload whose transaction's commit halts the JVM;
	 * empty for none
	 */
	public InboundRecorder(String blockOn, @Nullable JdbcTemplate jdbc, String clientId, String haltAfterCommitOf) {
		this.blockOn = blockOn;
		this.jdbc = jdbc;
		this.clientId = clientId;
		this.haltAfterCommitOf = haltAfterCommitOf;
		if (jdbc != null) {
			jdbc.execute("CREATE TABLE IF NOT EXISTS INBOUND_ROW (CLIENT_ID VARCHAR(200) NOT NULL,"
					+ " PAYLOAD VARCHAR(200) NOT NULL)");
		}
	}

	/**
	 * Handles an inbound message.
	 * @param message the message
	 */
	@ServiceActivator(inputChannel = "mqttInboundChannel")
	public void handle(Message<?> message) throws InterruptedException {
		Object payload = message.getPayload();
		String text = (payload instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8)
				: payload.toString();
		if (this.jdbc != null) {
			this.jdbc.update("INSERT INTO INBOUND_ROW (CLIENT_ID, PAYLOAD) VALUES (?, ?)", this.clientId, text);
			if (text.equals(this.haltAfterCommitOf)) {
				TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

					@Override
					public void afterCommit() {
						InboundRecorder.this.protocol.println("COMMITTED " + text);
						InboundRecorder.this.protocol.flush();
						// Dies as a SIGKILL would, before the client completes the
						// message
						Runtime.getRuntime().halt(137);
					}

				});
			}
		}
		if (text.equals(this.blockOn)) {
			this.protocol.println("HANDLING " + text);
			// Killed while it handles the message: the handler never completes
			new CountDownLatch(1).await();
		}
		this.protocol.println("HANDLED " + text);
	}

	/**
	 * Reports that the inbound adapter subscribed.
	 * @param event the event
	 */
	@EventListener
	public void subscribed(MqttSubscribedEvent event) {
		this.protocol.println("SUBSCRIBED");
	}

	@Override
	public void persisted(String clientId, PendingMessage message) {
		if (message.state() == PendingMessage.State.INBOUND_PUBLISH) {
			this.storedPayloads.put(message.packetId(), new String(message.payload(), StandardCharsets.UTF_8));
		}
	}

	@Override
	public void removed(String clientId, PendingMessage.State state, int packetId) {
		if (state == PendingMessage.State.INBOUND_PUBLISH) {
			String payload = this.storedPayloads.remove(packetId);
			this.protocol.println("RELEASED " + ((payload != null) ? payload : "#" + packetId));
		}
	}

}
