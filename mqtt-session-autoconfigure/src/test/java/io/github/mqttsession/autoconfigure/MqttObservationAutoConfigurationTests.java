package io.github.mqttsession.autoconfigure;

import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The handlers and adapters observe messages only when the application has an
 * {@link ObservationRegistry} and has not switched observations off.
 */
class MqttObservationAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MqttObservationAutoConfiguration.class));

	@Test
	void withARegistryTheHandlersAndAdaptersOfBothVersionsAreObserved() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.run((context) -> assertThat(context).hasBean("mqttv3OutboundObservation")
				.hasBean("mqttv3InboundObservation")
				.hasBean("mqttv5OutboundObservation")
				.hasBean("mqttv5InboundObservation"));
	}

	@Test
	void withoutARegistryNothingIsObserved() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(MqttOutboundHandlerCustomizer.class)
			.doesNotHaveBean(MqttInboundAdapterCustomizer.class));
	}

	@Test
	void observationsSwitchedOffObserveNothingThoughARegistryIsThere() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues("mqtt.observations.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(MqttOutboundHandlerCustomizer.class)
				.doesNotHaveBean(MqttInboundAdapterCustomizer.class));
	}

}
