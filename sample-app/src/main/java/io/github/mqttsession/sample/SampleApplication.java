package io.github.mqttsession.sample;

import java.time.Duration;

import io.github.mqttsession.store.SessionStore;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Profile;
import org.springframework.integration.dsl.IntegrationFlow;
import org.springframework.integration.dsl.Pollers;

/**
 * A Spring Boot application with a durable MQTT session: it subscribes to
 * {@code sensors/#}, publishes simulated temperature readings at QoS 1 and logs what
 * arrives, on an embedded broker, with its session in an H2 database file under
 * {@code ./data} so that it survives a restart. With the profile {@code transactional},
 * it stores the readings in a table of its own and raises alerts in transactions
 * ({@link StoredReadings}, {@link TemperatureAlerts}).
 */
@SpringBootApplication
public class SampleApplication {

	/**
	 * Runs the sample.
	 * @param args command-line arguments, such as
	 * {@code --mqtt.client.url=tcp://broker:1883}
	 */
	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

	/**
	 * Reads the session stored by the previous run before the MQTT client starts and
	 * changes it: a bean method of the application is instantiated before the starter's
	 * client beans.
	 */
	@Bean
	RestoredSession restoredSession(SessionStore sessionStore,
			@Value("${mqtt.client.client-id:${spring.application.name}}") String clientId) {
		return RestoredSession.load(sessionStore, clientId);
	}

	@Bean
	TemperatureSensors temperatureSensors() {
		return new TemperatureSensors();
	}

	@Bean
	ReceivedReadings receivedReadings() {
		return new ReceivedReadings();
	}

	@Bean
	IntegrationFlow publishReadings(TemperatureSensors temperatureSensors,
			@Value("${sample.publish-interval:1s}") Duration interval) {
		return IntegrationFlow
			.fromSupplier(temperatureSensors::nextReading, (endpoint) -> endpoint.poller(Pollers.fixedDelay(interval)))
			.channel("mqttOutboundChannel")
			.get();
	}

	/**
	 * Logs what arrives; in the transactional mode, {@link StoredReadings} stores it
	 * instead.
	 */
	@Bean
	@Profile("!transactional")
	IntegrationFlow logReadings(ReceivedReadings receivedReadings) {
		return IntegrationFlow.from("mqttInboundChannel").handle(receivedReadings).get();
	}

}
