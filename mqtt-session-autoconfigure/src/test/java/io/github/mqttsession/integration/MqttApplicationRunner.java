package io.github.mqttsession.integration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import io.github.mqttsession.apps.mqtt.MqttApplication;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * Starts {@link MqttApplication}, or another test application, with small timeouts, on an
 * H2 file that outlives each start.
 */
final class MqttApplicationRunner {

	private final List<String> properties = new ArrayList<>();

	private final List<ApplicationListener<?>> listeners = new ArrayList<>();

	private final List<Class<?>> sources = new ArrayList<>();

	private final List<String> arguments = new ArrayList<>();

	private final String databaseUrl;

	MqttApplicationRunner(String brokerUrl, String clientId) {
		this(MqttApplication.class, brokerUrl, clientId);
	}

	MqttApplicationRunner(Class<?> application, String brokerUrl, String clientId) {
		this.sources.add(application);
		this.databaseUrl = "jdbc:h2:file:" + Path.of("target", "h2", "mqtt-" + UUID.randomUUID()).toAbsolutePath()
				+ ";WRITE_DELAY=0";
		this.properties.addAll(List.of("spring.main.banner-mode=off", "spring.datasource.url=" + this.databaseUrl,
				"spring.datasource.username=sa", "mqtt.client.url=" + brokerUrl, "mqtt.client.client-id=" + clientId,
				"mqtt.client.completion-timeout=5s", "mqtt.client.quiescent-timeout=0s",
				"mqtt.client.connection-timeout=3s", "mqtt.client.max-reconnect-delay=2s",
				"spring.integration.endpoint.default-timeout=1s", "spring.lifecycle.timeout-per-shutdown-phase=5s"));
	}

	/**
	 * The JDBC URL of the application's H2 database, to look at the stored session while
	 * it is not running.
	 * @return the URL
	 */
	String databaseUrl() {
		return this.databaseUrl;
	}

	MqttApplicationRunner with(String... more) {
		this.properties.addAll(List.of(more));
		return this;
	}

	MqttApplicationRunner sources(Class<?>... more) {
		this.sources.addAll(List.of(more));
		return this;
	}

	MqttApplicationRunner listeners(ApplicationListener<?>... more) {
		this.listeners.addAll(List.of(more));
		return this;
	}

	/**
	 * Adds command-line arguments, which, unlike the properties, outrank the test class
	 * path's application.properties.
	 */
	MqttApplicationRunner arguments(String... more) {
		this.arguments.addAll(List.of(more));
		return this;
	}

	/**
	 * Waits until the inbound adapter of a started application subscribed: it subscribes
	 * once the client has connected, which may be after the start returned, and a message
	 * published before that reaches no subscriber on a new session.
	 * @param context the application, with a {@code subscribedEvents} queue
	 */
	static void awaitSubscribed(ConfigurableApplicationContext context) {
		BlockingQueue<?> subscribed = context.getBean("subscribedEvents", BlockingQueue.class);
		await().atMost(Duration.ofSeconds(20)).until(() -> !subscribed.isEmpty());
	}

	ConfigurableApplicationContext start(String... more) {
		List<String> all = new ArrayList<>(this.properties);
		all.addAll(List.of(more));
		return new SpringApplicationBuilder(this.sources.toArray(Class<?>[]::new)).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.listeners(this.listeners.toArray(ApplicationListener<?>[]::new))
			.run(this.arguments.toArray(String[]::new));
	}

}
