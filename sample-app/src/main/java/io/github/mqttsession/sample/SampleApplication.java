package io.github.mqttsession.sample;

import io.github.mqttsession.store.SessionStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application whose MQTT session lives in an H2 database file under {@code ./data}, so that it
 * survives a restart.
 */
@SpringBootApplication
public class SampleApplication {

	private static final Log logger = LogFactory.getLog(SampleApplication.class);

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	@Bean
	ApplicationRunner reportStoredSessions(SessionStore sessionStore) {
		return (args) -> {
			logger.info("Session store: " + sessionStore.getClass().getSimpleName());
			sessionStore.listSessions()
				.forEach((session) -> logger.info("client " + session.clientId() + ": " + session.subscriptionCount()
						+ " subscriptions, " + session.pendingMessageCount() + " pending messages, packet id "
						+ session.packetId()));
		};
	}

}
