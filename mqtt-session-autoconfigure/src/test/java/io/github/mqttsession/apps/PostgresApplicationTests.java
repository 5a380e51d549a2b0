package io.github.mqttsession.apps;

import io.github.mqttsession.apps.plain.Device;
import io.github.mqttsession.apps.plain.DeviceRepository;
import io.github.mqttsession.apps.plain.PlainApplication;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** An application on a real PostgreSQL, configured by properties alone. */
@ExtendWith(EmbeddedPostgresExtension.class)
class PostgresApplicationTests {

	@Test
	void sessionsAreKeptInPostgresAcrossApplicationRestarts() {
		String[] properties = { "spring.datasource.url=" + EmbeddedPostgresExtension.jdbcUrl(),
				"spring.datasource.username=postgres", "spring.datasource.password=postgres",
				"spring.jpa.hibernate.ddl-auto=update", "mqtt.session.jpa.table-prefix=APP_MQTT_",
				"spring.main.banner-mode=off", "mqtt.client.enabled=false" };
		PendingMessage message = new PendingMessage(PendingMessage.State.OFFLINE_BUFFERED, 1, "alarms/smoke",
				"on".getBytes(), 1, false);
		try (ConfigurableApplicationContext context = start(properties)) {
			assertThat(context.getBean(SessionStore.class)).isInstanceOf(JpaSessionStore.class);
			context.getBean(DeviceRepository.class).save(new Device("smoke detector"));
			context.getBean(SessionStore.class).addPendingMessage("smoke-detector", message);
		}
		try (ConfigurableApplicationContext context = start(properties)) {
			assertThat(context.getBean(SessionStore.class).load("smoke-detector").map(MqttSession::pendingMessages))
				.hasValueSatisfying((messages) -> assertThat(messages).containsExactly(message));
			assertThat(context.getBean(DeviceRepository.class).count()).isGreaterThanOrEqualTo(1);
		}
	}

	private static ConfigurableApplicationContext start(String... properties) {
		return new SpringApplicationBuilder(PlainApplication.class).web(WebApplicationType.NONE)
			.properties(properties)
			.run();
	}

}
