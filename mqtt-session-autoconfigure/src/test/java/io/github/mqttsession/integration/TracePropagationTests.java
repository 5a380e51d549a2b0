package io.github.mqttsession.integration;

import java.time.Duration;
import java.util.List;

import io.github.mqttsession.testsupport.HiveMqExtension;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;

import static io.github.mqttsession.integration.ChannelsApplicationProbe.awaitSubscribed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On MQTT 5 a trace spans publisher and subscriber: the publish writes its trace context
 * into the message's user properties, and the receiving side's observation continues that
 * trace, though it runs on Paho's thread where no trace is current.
 */
@ExtendWith(HiveMqExtension.class)
class TracePropagationTests {

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	@Test
	void theReceivingSidesSpanIsAChildOfThePublishingSidesAcrossTheBroker() throws Exception {
		MqttApplicationRunner app = ChannelsApplicationProbe.runner("traced")
			.sources(TracedApplication.class)
			.with("mqtt.client.protocol-version=5", "mqtt.inbound.topics[0].filter=traced/#",
					"mqtt.outbound.default-topic=traced/out");
		try (ConfigurableApplicationContext context = app.start()) {
			awaitSubscribed(context);
			SimpleTracer tracer = context.getBean(SimpleTracer.class);
			// The simple tracer gives ids only to spans with a parent: the publish is
			// sent inside a request whose trace has one
			Span root = tracer.spanBuilder()
				.setParent(
						tracer.traceContextBuilder().traceId(TRACE_ID).spanId("00f067aa0ba902b7").sampled(true).build())
				.start();
			try (Tracer.SpanInScope scope = tracer.withSpan(root)) {
				Observation.createNotStarted("test.request", context.getBean(ObservationRegistry.class))
					.observe(() -> context.getBean("mqttOutboundChannel", MessageChannel.class)
						.send(MessageBuilder.withPayload("traced")
							.setHeader(MqttHeaders.TOPIC, "traced/device/9")
							.build()));
			}
			assertThat(ChannelsApplicationProbe.received(context, 1)).containsExactly("traced");

			await().atMost(Duration.ofSeconds(10))
				.until(() -> tracer.getSpans().stream().anyMatch((span) -> span.getKind() == Span.Kind.CONSUMER));
			SimpleSpan publish = span(tracer, Span.Kind.PRODUCER);
			SimpleSpan receive = span(tracer, Span.Kind.CONSUMER);
			assertThat(publish.getName()).isEqualTo("publish other");
			assertThat(publish.getTags()).containsEntry("messaging.mqtt.topic", "traced/device/9");
			assertThat(publish.getTraceId()).isEqualTo(TRACE_ID);
			assertThat(publish.getSpanId()).isNotEmpty();
			assertThat(receive.getName()).isEqualTo("process traced/#");
			assertThat(receive.getTraceId()).isEqualTo(TRACE_ID);
			assertThat(receive.getParentId()).isEqualTo(publish.getSpanId());
		}
	}

	private static SimpleSpan span(SimpleTracer tracer, Span.Kind kind) {
		return tracer.getSpans().stream().filter((span) -> span.getKind() == kind).findFirst().orElseThrow();
	}

	@Configuration(proxyBeanMethods = false)
	static class TracedApplication {

		@Bean
		SimpleTracer tracer() {
			return new SimpleTracer();
		}

		@Bean
		TestObservationRegistry observationRegistry(SimpleTracer tracer) {
			TestObservationRegistry registry = TestObservationRegistry.create();
			TraceParentPropagator propagator = new TraceParentPropagator(tracer);
			registry.observationConfig()
				.observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
						new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
						new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
						new DefaultTracingObservationHandler(tracer)));
			return registry;
		}

	}

	/**
	 * The W3C {@code traceparent} field, enough of it for the simple tracer: version,
	 * trace id, parent span id, sampled.
	 */
	static final class TraceParentPropagator implements Propagator {

		private static final String TRACEPARENT = "traceparent";

		private final SimpleTracer tracer;

		TraceParentPropagator(SimpleTracer tracer) {
			this.tracer = tracer;
		}

		@Override
		public List<String> fields() {
			return List.of(TRACEPARENT);
		}

		@Override
		public <C> void inject(TraceContext context, @Nullable C carrier, Setter<C> setter) {
			setter.set(carrier, TRACEPARENT, "00-" + context.traceId() + "-" + context.spanId() + "-01");
		}

		@Override
		public <C> Span.Builder extract(C carrier, Getter<C> getter) {
			String traceparent = getter.get(carrier, TRACEPARENT);
			if (traceparent == null) {
				return this.tracer.spanBuilder();
			}
			String[] parts = traceparent.split("-");
			return this.tracer.spanBuilder()
				.setParent(this.tracer.traceContextBuilder().traceId(parts[1]).spanId(parts[2]).sampled(true).build());
		}

	}

}
