package io.github.mqttsession.integration.crash.app;

import java.nio.charset.StandardCharsets;

import javax.sql.DataSource;

import io.github.mqttsession.persistence.SessionPersistenceListener;
import io.github.mqttsession.store.PendingMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The application the crash tests kill: nothing of its own but the starter configured by
 * properties; with {@code crash.trace-persistence=true}, a trace of every packet the
 * session stores and removes, for a diagnosis of a lost or duplicated message; and with
 * {@code crash.record-inbound=true} an inbound flow that records what it handled
 * ({@link InboundRecorder}). It lives in a package of its own so that its component scan
 * picks up nothing else from the tests.
 */
@SpringBootApplication
public class CrashPublisherApplication {

	@Bean
	@ConditionalOnBooleanProperty("crash.record-inbound")
	InboundRecorder inboundRecorder(@Value("${crash.block-on:}") String blockOn,
			@Value("${crash.inbound-table:false}") boolean inboundTable,
			@Value("${crash.halt-after-commit-of:}") String haltAfterCommitOf,
			@Value("${mqtt.client.client-id}") String clientId, ObjectProvider<DataSource> dataSource) {
		return new InboundRecorder(blockOn, inboundTable ? new JdbcTemplate(dataSource.getObject()) : null, clientId,
				haltAfterCommitOf);
	}

	@Bean
	@ConditionalOnBooleanProperty("crash.trace-persistence")
	SessionPersistenceListener persistenceTrace() {
		return new PersistenceTrace();
	}

	/** Logs every packet the session stores and removes. */
	static final class PersistenceTrace implements SessionPersistenceListener {

		private static final Log logger = LogFactory.getLog(PersistenceTrace.class);

		@Override
		public void persisted(String clientId, PendingMessage message) {
			logger.info("persisted " + message.state() + " #" + message.packetId() + " payload="
					+ new String(message.payload(), StandardCharsets.UTF_8));
		}

		@Override
		public void removed(String clientId, PendingMessage.State state, int packetId) {
			logger.info("removed " + state + " #" + packetId);
		}

		@Override
		public void droppedByOverflow(String clientId, PendingMessage message) {
			logger.warn("dropped " + message.state() + " #" + message.packetId() + " payload="
					+ new String(message.payload(), StandardCharsets.UTF_8));
		}

		@Override
		public void restored(String clientId, int pendingMessages) {
			logger.info("restored " + pendingMessages + " pending messages");
		}

	}

}
