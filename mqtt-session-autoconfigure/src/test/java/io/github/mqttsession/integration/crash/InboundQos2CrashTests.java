package io.github.mqttsession.integration.crash;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.IntStream;

import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.HiveMqExtension;
import io.github.mqttsession.testsupport.TcpProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.github.mqttsession.integration.crash.CrashTests.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills an application that receives QoS 2 messages with SIGKILL, between PUBREC and
 * PUBREL and while it handles a message, and checks what it handles once started again on
 * the same session.
 * <p>
 * The application runs in a child JVM ({@link CrashingPublisher} with its inbound flow
 * on), subscribed with QoS 2 and clean session off through a {@link TcpProxy}, its
 * session in the PostgreSQL server of this JVM; it reports every message it finished
 * handling. A client of this JVM publishes numbered QoS 2 messages straight to the
 * broker, which sends a client the messages published while one of its QoS 2 flows is
 * incomplete only once that flow completed.
 * <ol>
 * <li>With the proxy holding back PUBREL, message 6 arrives and is acknowledged with
 * PUBREC, and the application is killed; 7 and 8 are published while it is down.</li>
 * <li>Started again, it blocks in the handler of message 12, with 13 published right
 * after it, and is killed.</li>
 * <li>Started again, it receives the rest.</li>
 * </ol>
 * Paho's MQTT 3.1.1 client hands a QoS 2 message over when PUBREL arrives, from the
 * stored session if need be, and completes it only once the handler returned: every
 * number is handled exactly once. Paho's MQTT 5 client hands a QoS 2 message over when it
 * arrives, sends PUBREC at once and answers PUBREL with PUBCOMP whether or not the
 * handler ran: message 6, handled before the first kill, is not handled again, but 12 and
 * 13, which Paho completed while the handler of 12 blocked, are lost, as
 * docs/how-it-works.md says.
 */
@ExtendWith({ HiveMqExtension.class, EmbeddedPostgresExtension.class })
class InboundQos2CrashTests {

	private static final int MESSAGES = 20;

	/** The message killed between PUBREC and PUBREL. */
	private static final int UNRELEASED = 6;

	/** The message killed in its handler. */
	private static final int BLOCKED = 12;

	private static final String END = CrashingPublisher.END;

	private static final Duration START_UP = Duration.ofSeconds(60);

	private static final Duration DELIVERY = Duration.ofSeconds(30);

	@BeforeAll
	static void copyClassPath() {
		ChildClassPath.get();
	}

	@ParameterizedTest(name = "MQTT {0}")
	@ValueSource(strings = { "3.1.1", "5" })
	void aMessageIsHandledOnceAcrossKillsAsFarAsPahoAllows(String version) throws Exception {
		boolean mqtt5 = version.equals("5");
		String clientId = "crash-inbound-mqtt" + version.replace(".", "") + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
		String topic = "crash/" + clientId;
		Path logs = Path.of("target", "crash", clientId).toAbsolutePath();
		List<PublisherProcess> runs = new ArrayList<>();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", HiveMqExtension.port());
				NumberPublisher publisher = new NumberPublisher(topic)) {
			List<String> properties = CrashTests.replacing(
					CrashTests.properties(proxy.url(), clientId, topic, 2, CrashTests.Store.POSTGRESQL),
					"--mqtt.inbound.enabled=true", "--mqtt.inbound.topics[0].filter=" + topic,
					"--mqtt.inbound.topics[0].qos=2", "--mqtt.client.protocol-version=" + version,
					"--crash.record-inbound=true", "--crash.mode=resume");
			try (PublisherProcess first = PublisherProcess.start(logs.resolve("first.log"), properties)) {
				runs.add(first);
				first.awaitReady(START_UP);
				eventually(START_UP, () -> first.inbound().subscriptions() > 0);
				assertThat(first.inbound().subscriptions()).as(() -> describe(runs)).isPositive();
				publisher.publish(1, 5);
				awaitHandled(runs, 5);
				// Paho 5 hands a message over before its PUBREL: the flow of 5 must be
				// complete before PUBRELs are held, or the broker holds 6 back behind it
				eventually(DELIVERY, () -> first.inbound().released("5"));
				assertThat(first.inbound().released("5")).as(() -> describe(runs)).isTrue();
				// Between PUBREC and PUBREL: the broker got PUBREC, as its PUBREL shows
				proxy.holdBrokerToClientPacketsOfType(TcpProxy.PUBREL);
				publisher.publish(UNRELEASED, UNRELEASED);
				if (mqtt5) {
					// Handed over on arrival
					awaitHandled(runs, UNRELEASED);
				}
				awaitHeldPubrel(proxy, runs);
				if (!mqtt5) {
					// Handed over on PUBREL only
					assertThat(handled(runs)).as(() -> describe(runs)).doesNotContain(UNRELEASED);
				}
				assertThat(first.kill()).as("exit code of the killed JVM, 128 + SIGKILL").isEqualTo(137);
			}
			proxy.discardHeldPackets();
			publisher.publish(UNRELEASED + 1, 8);
			try (PublisherProcess second = PublisherProcess.start(logs.resolve("second.log"),
					CrashTests.with(properties, "--crash.block-on=" + BLOCKED))) {
				runs.add(second);
				second.awaitReady(START_UP);
				publisher.publish(9, 11);
				awaitHandled(runs, 11);
				// Killed while the application handles a message; Paho 5 completes it
				// and the next one meanwhile
				publisher.publish(BLOCKED, BLOCKED + 1);
				awaitBlocked(second, runs);
				if (mqtt5) {
					eventually(DELIVERY, () -> second.inbound().released(Integer.toString(BLOCKED + 1)));
					assertThat(second.inbound().released(Integer.toString(BLOCKED))).as(() -> describe(runs)).isTrue();
					assertThat(second.inbound().released(Integer.toString(BLOCKED + 1))).as(() -> describe(runs))
						.isTrue();
				}
				assertThat(second.kill()).as("exit code of the killed JVM, 128 + SIGKILL").isEqualTo(137);
			}
			try (PublisherProcess third = PublisherProcess.start(logs.resolve("third.log"), properties)) {
				runs.add(third);
				third.awaitReady(START_UP);
				publisher.publish(BLOCKED + 2, MESSAGES);
				// The end marker follows everything the broker held for the session, so
				// no duplicate can come later
				publisher.publish(END);
				eventually(DELIVERY, () -> third.inbound().handled().contains(END));
				assertThat(third.inbound().handled()).as(() -> describe(runs)).contains(END);
				third.stop();
			}
			NavigableSet<Integer> lost = new TreeSet<>(numbers(MESSAGES));
			lost.removeAll(handled(runs));
			if (mqtt5) {
				assertThat(lost).as(() -> describe(runs)).containsExactly(BLOCKED, BLOCKED + 1);
			}
			else {
				assertThat(lost).as(() -> describe(runs)).isEmpty();
			}
			// No message whose handler completed is handed over again
			assertThat(duplicates(runs)).as(() -> describe(runs)).isEmpty();
		}
	}

	private static void awaitBlocked(PublisherProcess process, List<PublisherProcess> runs) {
		String payload = Integer.toString(BLOCKED);
		eventually(DELIVERY, () -> payload.equals(process.inbound().handling()));
		assertThat(process.inbound().handling()).as(() -> describe(runs)).isEqualTo(payload);
	}

	private static void awaitHeldPubrel(TcpProxy proxy, List<PublisherProcess> runs) {
		eventually(DELIVERY, () -> proxy.heldPacketCount() > 0);
		assertThat(proxy.heldPacketCount()).as(() -> "PUBRELs held back" + describe(runs)).isOne();
	}

	private static void awaitHandled(List<PublisherProcess> runs, int upTo) {
		eventually(DELIVERY, () -> handled(runs).containsAll(numbers(upTo)));
		assertThat(handled(runs)).as(() -> describe(runs)).containsAll(numbers(upTo));
	}

	private static List<Integer> numbers(int upTo) {
		return IntStream.rangeClosed(1, upTo).boxed().toList();
	}

	/** The numbers handled by every run so far, each time it was. */
	private static List<Integer> handled(List<PublisherProcess> runs) {
		return runs.stream()
			.flatMap((run) -> run.inbound().handled().stream())
			.filter((payload) -> !payload.equals(END))
			.map(Integer::valueOf)
			.toList();
	}

	private static Map<Integer, Integer> duplicates(List<PublisherProcess> runs) {
		Map<Integer, Integer> counts = new TreeMap<>();
		handled(runs).forEach((number) -> counts.merge(number, 1, Integer::sum));
		counts.values().removeIf((count) -> count == 1);
		return counts;
	}

	private static String describe(List<PublisherProcess> runs) {
		StringBuilder description = new StringBuilder();
		for (int i = 0; i < runs.size(); i++) {
			PublisherProcess run = runs.get(i);
			description.append("\n--- run ")
				.append(i + 1)
				.append(" handled ")
				.append(run.inbound().handled())
				.append(", blocked in ")
				.append(run.inbound().handling())
				.append("; its log ends with:\n")
				.append(run.logTail(40));
		}
		return description.toString();
	}

}
