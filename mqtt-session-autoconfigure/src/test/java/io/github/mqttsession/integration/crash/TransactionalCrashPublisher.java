package io.github.mqttsession.integration.crash;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

import io.github.mqttsession.apps.mqtt.MqttApplication;
import io.github.mqttsession.integration.crash.app.ChildProtocol;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.integration.support.MessageBuilder;
import org.springframework.messaging.MessageChannel;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The main class of the child JVM that {@link TransactionalCrashTests} kills: it starts
 * {@link MqttApplication} with the properties given on the command line, sends
 * {@code crash.count} messages in one transaction, and once that transaction has
 * committed, before its messages are handed to the client, prints {@code COMMITTED} and
 * waits to be killed.
 */
public final class TransactionalCrashPublisher {

	private TransactionalCrashPublisher() {
	}

	/**
	 * Runs the publisher.
	 * @param args Spring Boot command-line properties ({@code --name=value}), including
	 * {@code crash.count}
	 */
	public static void main(String[] args) {
		PrintStream protocol = ChildProtocol.out();
		System.setOut(System.err);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(MqttApplication.class)
			.web(WebApplicationType.NONE)
			.run(args);
		int count = context.getEnvironment().getRequiredProperty("crash.count", Integer.class);
		MessageChannel channel = context.getBean("mqttOutboundChannel", MessageChannel.class);
		new TransactionTemplate(context.getBean(PlatformTransactionManager.class)).executeWithoutResult((status) -> {
			TransactionSynchronizationManager.registerSynchronization(new KilledAfterCommit(protocol));
			for (int i = 1; i <= count; i++) {
				channel.send(MessageBuilder.withPayload(Integer.toString(i)).build());
			}
		});
	}

	/**
	 * Runs first after the commit, ahead of the hand-over of the messages to the client,
	 * and never returns.
	 */
	private record KilledAfterCommit(PrintStream protocol) implements TransactionSynchronization, Ordered {

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

		@Override
		public void afterCommit() {
			this.protocol.println("COMMITTED");
			try {
				new CountDownLatch(1).await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
