package io.github.mqttsession.integration.crash;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.mqttsession.integration.crash.app.ChildProtocol;
import io.github.mqttsession.integration.crash.app.CrashPublisherApplication;
import org.awaitility.Awaitility;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.integration.mqtt.support.MqttHeaders;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.Message;
import org.springframework.messaging.MessageChannel;

/**
 * The main class of the child JVM that {@link CrashTests} kills: it starts
 * {@link CrashPublisherApplication} with the properties given on the command line and
 * publishes through {@code mqttOutboundChannel}.
 * <p>
 * Standard output is reserved for a line protocol the test reads: {@code READY} once the
 * application has started, {@code SENT n} each time the send of message {@code n} has
 * returned, {@code ERR n reason} each time it threw (the same message is then sent again,
 * so the sequence stays complete), {@code DONE} after the last message and
 * {@code STOPPED} after a clean stop, and the lines of an inbound flow that records what
 * it handled ({@link io.github.mqttsession.integration.crash.app.InboundRecorder}).
 * Everything else, logging included, goes to standard error.
 * <p>
 * With {@code crash.mode=publish} it sends the payloads {@code 1..crash.count} in order,
 * as far as the test allows: a command {@code UPTO n} on standard input lets it go on up
 * to {@code n}, so that the test can cut the connection and kill the process while
 * messages are being sent. With {@code crash.mode=resume} it sends nothing and lets the
 * restored session drain, and handles what arrives when its inbound flow is on. With
 * {@code crash.mode=flood} it sends the payloads {@code 1..crash.count} at once from
 * {@code crash.threads} threads, in no particular order, for a test that stops it while
 * many sends are under way. Then it reads commands from standard input: {@code END}
 * publishes the payload {@code END}, a marker that arrives after everything the restored
 * session resent, and {@code STOP} (or the end of input) closes the application.
 */
public final class CrashingPublisher {

	/** The payload of the marker that follows the messages of a restored session. */
	public static final String END = "END";

	private static final Duration RETRY_PAUSE = Duration.ofMillis(20);

	private final PrintStream protocol;

	private final MessageChannel channel;

	private final String topic;

	private final int qos;

	private CrashingPublisher(PrintStream protocol, MessageChannel channel, String topic, int qos) {
		this.protocol = protocol;
		this.channel = channel;
		this.topic = topic;
		this.qos = qos;
	}

	/**
	 * Runs the publisher.
	 * @param args Spring Boot command-line properties ({@code --name=value}), including
	 * {@code crash.mode}, {@code crash.topic}, {@code crash.qos} and {@code crash.count}
	 */
	public static void main(String[] args) throws Exception {
		PrintStream protocol = ChildProtocol.out();
		System.setOut(System.err);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(CrashPublisherApplication.class)
			.web(WebApplicationType.NONE)
			.run(args);
		Environment environment = context.getEnvironment();
		CrashingPublisher publisher = new CrashingPublisher(protocol,
				context.getBean("mqttOutboundChannel", MessageChannel.class),
				environment.getRequiredProperty("crash.topic"),
				environment.getRequiredProperty("crash.qos", Integer.class));
		protocol.println("READY");
		BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		String mode = environment.getRequiredProperty("crash.mode");
		if ("flood".equals(mode)) {
			publisher.flood(environment.getRequiredProperty("crash.count", Integer.class),
					environment.getRequiredProperty("crash.threads", Integer.class));
		}
		if ("publish".equals(mode)) {
			int count = environment.getRequiredProperty("crash.count", Integer.class);
			int allowed = 0;
			for (int sequence = 1; sequence <= count; sequence++) {
				while (sequence > allowed) {
					String command = commands.readLine();
					if (command == null || command.equals("STOP")) {
						stop(context, protocol);
					}
					allowed = command.startsWith("UPTO ") ? Integer.parseInt(command.substring(5)) : allowed;
				}
				publisher.send(Integer.toString(sequence));
			}
			protocol.println("DONE");
		}
		for (String command = commands.readLine(); command != null
				&& !command.equals("STOP"); command = commands.readLine()) {
			if (command.equals(END)) {
				publisher.send(END);
			}
		}
		stop(context, protocol);
	}

	private static void stop(ConfigurableApplicationContext context, PrintStream protocol) {
		context.close();
		protocol.println("STOPPED");
		System.exit(0);
	}

	/**
	 * Sends the payloads {@code 1..count} from several threads at once, each taking the
	 * next number, so that many sends are in flight or wait for room in the in-flight
	 * window at any moment; returns at once.
	 */
	private void flood(int count, int threads) {
		AtomicInteger next = new AtomicInteger();
		for (int i = 0; i < threads; i++) {
			Thread thread = new Thread(() -> {
				for (int sequence = next.incrementAndGet(); sequence <= count; sequence = next.incrementAndGet()) {
					send(Integer.toString(sequence));
				}
			}, "crash-flood-" + i);
			// The JVM exits when the application is closed, whatever these still send
			thread.setDaemon(true);
			thread.start();
		}
	}

	/**
	 * Sends one message until a send returns, reporting every attempt that threw.
	 */
	private void send(String payload) {
		Message<String> message = MessageBuilder.withPayload(payload)
			.setHeader(MqttHeaders.TOPIC, this.topic)
			.setHeader(MqttHeaders.QOS, this.qos)
			.build();
		while (true) {
			try {
				this.channel.send(message);
				this.protocol.println("SENT " + payload);
				return;
			}
			catch (RuntimeException ex) {
				this.protocol.println("ERR " + payload + " " + describe(ex));
				System.err.println("Send of " + payload + " failed; it is sent again");
				ex.printStackTrace();
				// A short pause, not a busy loop, while the client is at its in-flight
				// window or reconnecting
				Awaitility.await().pollDelay(RETRY_PAUSE).atMost(RETRY_PAUSE.plusSeconds(5)).until(() -> true);
			}
		}
	}

	private static String describe(Throwable ex) {
		StringBuilder description = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (description.length() > 0) {
				description.append(" <- ");
			}
			description.append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
		}
		return description.toString().replace('\n', ' ');
	}

}
