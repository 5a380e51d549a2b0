package io.github.mqttsession.integration;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.mqttsession.actuate.MqttSessionsEndpoint.PendingMessageDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDeletion;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDetailsDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionsDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint;
import io.github.mqttsession.actuate.MqttSessionsEndpointWebExtension;
import io.github.mqttsession.autoconfigure.MqttSessionsEndpointAutoConfiguration;
import io.github.mqttsession.autoconfigure.SessionStoreAutoConfiguration;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.PendingMessageDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDeletion;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionDetailsDescriptor;
import io.github.mqttsession.actuate.MqttSessionsEndpoint.SessionsDescriptor;
import io.github.mqttsession.store.LoadSaveDeleteOnlyStore;
import io.github.mqttsession.store.MqttSession;
import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.store.SessionLeasing;
import io.github.mqttsession.store.SessionListing;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.Subscription;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.convert.ConversionServiceParameterValueMapper;
import org.springframework.boot.actuate.endpoint.web.EndpointMediaTypes;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointHttpMethod;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpointDiscoverer;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * The {@code mqttsessions} endpoint, called through Boot's web endpoint infrastructure as
 * an HTTP request would call it, on an application whose MQTT client runs against a real
 * broker.
 */
@ExtendWith(HiveMqExtension.class)
class MqttSessionsEndpointTests {

	private static final String EXPOSE = "management.endpoints.web.exposure.include=mqttsessions";

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(SessionStoreAutoConfiguration.class, MqttSessionsEndpointAutoConfiguration.class));

	@Test
	void theEndpointIsNotCreatedUnlessTheApplicationExposesIt() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean(MqttSessionsEndpoint.class)
			.doesNotHaveBean(MqttSessionsEndpointWebExtension.class));
	}

	@Test
	void exposedOverTheWebTheEndpointAnswersWithHttpStatuses() {
		this.runner.withPropertyValues(EXPOSE)
			.run((context) -> assertThat(context).hasSingleBean(MqttSessionsEndpoint.class)
				.hasSingleBean(MqttSessionsEndpointWebExtension.class));
	}

	@Test
	void exposedOverJmxOnlyTheEndpointHasNoWebExtension() {
		this.runner
			.withPropertyValues("spring.jmx.enabled=true", "management.endpoints.jmx.exposure.include=mqttsessions")
			.run((context) -> assertThat(context).hasSingleBean(MqttSessionsEndpoint.class)
				.doesNotHaveBean(MqttSessionsEndpointWebExtension.class));
	}

	@Test
	void anEndpointOfTheApplicationsOwnReplacesTheBuiltInOne() {
		this.runner.withPropertyValues(EXPOSE).withUserConfiguration(OwnEndpointConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(MqttSessionsEndpoint.class);
			assertThat(context.getBean(MqttSessionsEndpoint.class))
				.isSameAs(context.getBean(OwnEndpointConfiguration.class).endpoint);
		});
	}

	@Test
	void listsTheStoredSessionsAndWhichAreLive() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "ops-listed").with(EXPOSE,
				"mqtt.inbound.topics[0].filter=listed/#");
		try (ConfigurableApplicationContext context = app.start()) {
			SessionStore store = context.getBean(SessionStore.class);
			store.save("ops-idle", new MqttSession(List.of(new Subscription("idle/#", 1)), List
				.of(new PendingMessage(PendingMessage.State.OUTBOUND_PUBLISH, 7, "idle/x", bytes("idle"), 1, false)),
					7));
			SessionLeasing leasing = store.feature(SessionLeasing.class).orElseThrow();
			leasing.acquireLease("ops-leased-elsewhere", "instance-2", Duration.ofMinutes(5));
			leasing.acquireLease("ops-lease-ran-out", "instance-3", Duration.ofMillis(1));
			SessionListing listing = store.feature(SessionListing.class).orElseThrow();
			await().atMost(Duration.ofSeconds(10))
				.until(() -> listing.listSessions()
					.stream()
					.filter((summary) -> summary.clientId().equals("ops-lease-ran-out"))
					.noneMatch((summary) -> summary.isLeased(Instant.now())));

			WebEndpointResponse<?> response = (WebEndpointResponse<?>) call(context, WebEndpointHttpMethod.GET,
					"mqttsessions", Map.of());

			assertThat(response.getStatus()).isEqualTo(200);
			List<SessionDescriptor> sessions = ((SessionsDescriptor) response.getBody()).sessions();
			assertThat(sessions).filteredOn((session) -> session.clientId().startsWith("ops-"))
				.extracting(SessionDescriptor::clientId, SessionDescriptor::live)
				.containsExactlyInAnyOrder(tuple("ops-listed", true), tuple("ops-idle", false),
						tuple("ops-leased-elsewhere", true), tuple("ops-lease-ran-out", false));
			assertThat(sessions).filteredOn((session) -> session.clientId().equals("ops-listed"))
				.singleElement()
				.as("the configured topic is a subscription of the client's own session")
				.satisfies((listed) -> assertThat(listed.subscriptionCount()).isEqualTo(1));
			assertThat(sessions).filteredOn((session) -> session.clientId().equals("ops-idle"))
				.singleElement()
				.satisfies((idle) -> {
					assertThat(idle.subscriptionCount()).isEqualTo(1);
					assertThat(idle.pendingMessageCount()).isEqualTo(1);
					assertThat(idle.packetId()).isEqualTo(7);
					assertThat(idle.lastUpdated()).isNotNull();
					assertThat(idle.owner()).isNull();
				});
			assertThat(sessions).filteredOn((session) -> session.clientId().equals("ops-leased-elsewhere"))
				.singleElement()
				.satisfies((leased) -> {
					assertThat(leased.owner()).isEqualTo("instance-2");
					assertThat(leased.leaseExpiresAt()).isAfter(Instant.now());
				});
		}
	}

	@Test
	void showsASessionsMessagesWithTheirPayloadsOnlyWhenAsked() throws Exception {
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port())) {
			MqttApplicationRunner app = new MqttApplicationRunner(proxy.url(), "ops-shown").with(EXPOSE,
					"mqtt.outbound.default-topic=ops/shown", "mqtt.inbound.topics[0].filter=ops/in/#",
					"mqtt.inbound.topics[0].qos=2");
			try (ConfigurableApplicationContext context = app.start()) {
				OfflinePublishingTests.cutAndAwaitDisconnect(proxy, context);
				OfflinePublishingTests.send(context, "held while offline");

				SessionDetailsDescriptor shown = (SessionDetailsDescriptor) call(context, WebEndpointHttpMethod.GET,
						"mqttsessions/{clientId}", Map.of("clientId", "ops-shown"));

				assertThat(shown.live()).isTrue();
				assertThat(shown.owner()).isNotBlank();
				assertThat(shown.subscriptions()).containsExactly(new Subscription("ops/in/#", 2, true));
				assertThat(shown.pendingMessages()).singleElement().satisfies((message) -> {
					assertThat(message.state()).isEqualTo(PendingMessage.State.OFFLINE_BUFFERED);
					assertThat(message.packetId()).isPositive();
					assertThat(message.topic()).isEqualTo("ops/shown");
					assertThat(message.qos()).isEqualTo(1);
					assertThat(message.retained()).isFalse();
					assertThat(message.payloadSize()).isEqualTo("held while offline".length());
					assertThat(message.payload()).isNull();
				});

				SessionDetailsDescriptor withPayloads = (SessionDetailsDescriptor) call(context,
						WebEndpointHttpMethod.GET, "mqttsessions/{clientId}",
						Map.of("clientId", "ops-shown", "payloads", "true"));

				assertThat(withPayloads.pendingMessages()).extracting(PendingMessageDescriptor::payload)
					.containsExactly(Base64.getEncoder().encodeToString(bytes("held while offline")));
				assertThat(call(context, WebEndpointHttpMethod.GET, "mqttsessions/{clientId}",
						Map.of("clientId", "ops-never-stored")))
					.as("null, which the web layer answers with 404")
					.isNull();
			}
		}
	}

	@Test
	void refusesToDeleteALiveSessionSayingWhy() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "ops-running").with(EXPOSE,
				"mqtt.inbound.topics[0].filter=running/#");
		try (ConfigurableApplicationContext context = app.start()) {
			SessionStore store = context.getBean(SessionStore.class);
			store.feature(SessionLeasing.class)
				.orElseThrow()
				.acquireLease("ops-held", "instance-2", Duration.ofMinutes(5));
			store.addSubscription("ops-held", new Subscription("held/#", 1));

			WebEndpointResponse<?> running = delete(context, "ops-running");
			WebEndpointResponse<?> held = delete(context, "ops-held");

			assertThat(running.getStatus()).isEqualTo(409);
			assertThat(((SessionDeletion) running.getBody()).message()).contains("'ops-running' is live")
				.contains("an MQTT client of this application with that client id is running")
				.contains("stop the client first");
			assertThat(held.getStatus()).isEqualTo(409);
			assertThat(((SessionDeletion) held.getBody()).message()).contains("'ops-held' is live")
				.contains("instance 'instance-2' holds its lease");
			assertThat(store.load("ops-running")).map(MqttSession::subscriptions)
				.contains(List.of(new Subscription("running/#", 1, true)));
			assertThat(store.load("ops-held")).map(MqttSession::subscriptions)
				.contains(List.of(new Subscription("held/#", 1)));
		}
	}

	@Test
	void deletesTheSessionOfAStoppedClientAndThenFindsItNoMore() throws Exception {
		MqttApplicationRunner app = new MqttApplicationRunner(HiveMqExtension.url(), "ops-stopped").with(EXPOSE,
				"mqtt.inbound.topics[0].filter=stopped/#");
		try (ConfigurableApplicationContext context = app.start()) {
			assertThat(context.getBean(SessionStore.class).load("ops-stopped")).map(MqttSession::subscriptions)
				.contains(List.of(new Subscription("stopped/#", 1, true)));
		}
		try (ConfigurableApplicationContext context = app.start("mqtt.client.client-id=ops-successor")) {
			SessionStore store = context.getBean(SessionStore.class);

			WebEndpointResponse<?> deleted = delete(context, "ops-stopped");
			WebEndpointResponse<?> again = delete(context, "ops-stopped");

			assertThat(deleted.getStatus()).isEqualTo(200);
			assertThat(((SessionDeletion) deleted.getBody()).outcome()).isEqualTo(SessionDeletion.Outcome.DELETED);
			assertThat(store.load("ops-stopped")).as("its configured topics went with it").isEmpty();
			assertThat(again.getStatus()).isEqualTo(404);
			assertThat(((SessionDeletion) again.getBody()).message())
				.isEqualTo("No session is stored for client id 'ops-stopped'");
		}
	}

	@Test
	void aStoreThatCannotListSaysSoAndSessionsCanStillBeShownAndDeleted() {
		this.runner.withPropertyValues(EXPOSE)
			.withUserConfiguration(LoadSaveDeleteStoreConfiguration.class)
			.run((context) -> {
				SessionStore store = context.getBean(SessionStore.class);
				store.save("ops-unlisted", new MqttSession(List.of(new Subscription("a/b", 0)), List.of(), 0));

				WebEndpointResponse<?> listed = (WebEndpointResponse<?>) call(context, WebEndpointHttpMethod.GET,
						"mqttsessions", Map.of());
				SessionDetailsDescriptor shown = (SessionDetailsDescriptor) call(context, WebEndpointHttpMethod.GET,
						"mqttsessions/{clientId}", Map.of("clientId", "ops-unlisted"));
				WebEndpointResponse<?> deleted = delete(context, "ops-unlisted");

				assertThat(listed.getStatus()).isEqualTo(501);
				SessionsDescriptor body = (SessionsDescriptor) listed.getBody();
				assertThat(body.sessions()).isNull();
				assertThat(body.message()).contains(LoadSaveDeleteOnlyStore.class.getName())
					.contains("cannot list sessions");
				assertThat(shown.subscriptions()).containsExactly(new Subscription("a/b", 0));
				assertThat(shown.live()).isFalse();
				assertThat(deleted.getStatus()).isEqualTo(200);
				assertThat(store.load("ops-unlisted")).isEmpty();
			});
	}

	private static WebEndpointResponse<?> delete(ApplicationContext context, String clientId) {
		return (WebEndpointResponse<?>) call(context, WebEndpointHttpMethod.DELETE, "mqttsessions/{clientId}",
				Map.of("clientId", clientId));
	}

	/**
	 * Calls an operation as Boot's web layer does: discovered with its web extension,
	 * matched by HTTP method and path, arguments given as the strings of a request.
	 */
	private static Object call(ApplicationContext context, WebEndpointHttpMethod method, String path,
			Map<String, Object> arguments) {
		WebEndpointDiscoverer discoverer = new WebEndpointDiscoverer(context,
				new ConversionServiceParameterValueMapper(), EndpointMediaTypes.DEFAULT, List.of(), List.of(),
				List.of(), List.of(), List.of());
		ExposableWebEndpoint endpoint = discoverer.getEndpoints()
			.stream()
			.filter((candidate) -> candidate.getEndpointId().toString().equals("mqttsessions"))
			.findFirst()
			.orElseThrow();
		WebOperation operation = endpoint.getOperations()
			.stream()
			.filter((candidate) -> candidate.getRequestPredicate().getHttpMethod() == method
					&& candidate.getRequestPredicate().getPath().equals(path))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No " + method + " " + path + " among " + endpoint.getOperations()));
		return operation.invoke(new InvocationContext(SecurityContext.NONE, arguments));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnEndpointConfiguration {

		final MqttSessionsEndpoint endpoint = new MqttSessionsEndpoint(new InMemorySessionStore(), Stream::empty,
				Clock.systemUTC());

		@Bean
		MqttSessionsEndpoint ownEndpoint() {
			return this.endpoint;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class LoadSaveDeleteStoreConfiguration {

		@Bean
		SessionStore sessionStore() {
			return new LoadSaveDeleteOnlyStore();
		}

	}

}
