package io.github.mqttsession.testsupport;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link UnexpectedLogExtension} fails a test that logs an ERROR or an exception it does
 * not declare, and lets a declared one pass. The fixtures run in an engine of their own
 * through JUnit's test kit; what they log reaches this test's own check too, hence the
 * declaration on this class.
 */
@ExpectedLog(logger = UnexpectedLogExtensionTests.FIXTURE_LOGGER, reason = "the fixtures log on purpose")
class UnexpectedLogExtensionTests {

	static final String FIXTURE_LOGGER = "io.github.mqttsession.testsupport.fixture";

	private static final String RUN_FIXTURES = "io.github.mqttsession.testsupport.fixtures";

	private static final Logger fixtureLogger = LoggerFactory.getLogger(FIXTURE_LOGGER);

	@Test
	void anErrorTheTestDoesNotDeclareFailsIt() {
		assertThat(failureOfTheOnlyTest(LogsAnError.class)).contains("LogsAnError.logs()")
			.contains("ERROR " + FIXTURE_LOGGER)
			.contains("the fixture failed");
	}

	@Test
	void anExceptionLoggedAtWarnFailsTheTest() {
		assertThat(failureOfTheOnlyTest(LogsANullPointerExceptionAtWarn.class)).contains("WARN " + FIXTURE_LOGGER)
			.contains("java.lang.NullPointerException: a null where none belongs")
			.contains("at io.github.mqttsession.testsupport.UnexpectedLogExtensionTests");
	}

	@Test
	void anErrorLoggedByAnotherThreadCountsAgainstTheRunningTest() {
		assertThat(failureOfTheOnlyTest(LogsAnErrorFromAnotherThread.class)).contains("[fixture-worker]")
			.contains("logged by a worker");
	}

	@Test
	void anErrorDeclaredOnTheMethodPasses() {
		run(DeclaresOnTheMethod.class).assertStatistics((stats) -> stats.succeeded(1).failed(0));
	}

	@Test
	void anErrorDeclaredOnTheClassPasses() {
		run(DeclaresOnTheClass.class).assertStatistics((stats) -> stats.succeeded(1).failed(0));
	}

	@Test
	void aDeclarationCoversOnlyTheEventsItMatches() {
		assertThat(failureOfTheOnlyTest(DeclaresAnotherException.class))
			.contains("java.lang.NullPointerException: not the declared one");
	}

	@Test
	void warningsWithoutAnExceptionAndTheInProcessServersLogsPass() {
		run(LogsWhatIsNotChecked.class).assertStatistics((stats) -> stats.succeeded(1).failed(0));
	}

	@Test
	void anErrorLoggedWhileTheClassIsSetUpFailsTheClass() {
		EngineExecutionResults results = kit(LogsAnErrorInBeforeAll.class);
		results.testEvents().assertStatistics((stats) -> stats.succeeded(1).failed(0));
		List<Event> failed = results.containerEvents().failed().list();
		assertThat(failed).hasSize(1);
		assertThat(message(failed.get(0))).contains("LogsAnErrorInBeforeAll").contains("set-up failed");
	}

	private static String failureOfTheOnlyTest(Class<?> fixture) {
		Events events = run(fixture);
		events.assertStatistics((stats) -> stats.succeeded(0).failed(1));
		return message(events.failed().list().get(0));
	}

	private static String message(Event event) {
		return event.getPayload(TestExecutionResult.class)
			.flatMap(TestExecutionResult::getThrowable)
			.orElseThrow()
			.getMessage();
	}

	private static Events run(Class<?> fixture) {
		return kit(fixture).testEvents();
	}

	private static EngineExecutionResults kit(Class<?> fixture) {
		return EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(fixture))
			.configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
			.configurationParameter(RUN_FIXTURES, "true")
			.execute();
	}

	/**
	 * Keeps the fixtures from running as tests of their own when a build selects them by
	 * name.
	 */
	static final class OnlyInTheTestKit implements ExecutionCondition {

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return context.getConfigurationParameter(RUN_FIXTURES).isPresent()
					? ConditionEvaluationResult.enabled("run by UnexpectedLogExtensionTests")
					: ConditionEvaluationResult.disabled("a fixture of UnexpectedLogExtensionTests");
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class LogsAnError {

		@Test
		void logs() {
			fixtureLogger.error("the fixture failed");
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class LogsANullPointerExceptionAtWarn {

		@Test
		void logs() {
			fixtureLogger.warn("Could not go on", new NullPointerException("a null where none belongs"));
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class LogsAnErrorFromAnotherThread {

		@Test
		void logs() throws InterruptedException {
			Thread worker = new Thread(() -> fixtureLogger.error("logged by a worker"), "fixture-worker");
			worker.start();
			worker.join();
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class DeclaresOnTheMethod {

		@Test
		@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = FIXTURE_LOGGER, message = "on purpose",
				exception = IllegalStateException.class, exceptionMessage = "provoked")
		void logs() {
			fixtureLogger.error("Failed on purpose", new RuntimeException(new IllegalStateException("provoked")));
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	@ExpectedLog(level = ExpectedLog.Level.ERROR, logger = "io.github.mqttsession")
	static class DeclaresOnTheClass {

		@Test
		void logs() {
			fixtureLogger.error("Failed on purpose");
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class DeclaresAnotherException {

		@Test
		@ExpectedLog(logger = FIXTURE_LOGGER, exception = IllegalStateException.class)
		void logs() {
			fixtureLogger.error("Failed", new NullPointerException("not the declared one"));
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class LogsWhatIsNotChecked {

		@Test
		void logs() {
			fixtureLogger.warn("A warning alone");
			fixtureLogger.info("Some information");
			LoggerFactory.getLogger("com.hivemq.fixture")
				.error("The broker's own trouble", new IllegalStateException("a client went away"));
		}

	}

	@ExtendWith(OnlyInTheTestKit.class)
	static class LogsAnErrorInBeforeAll {

		@BeforeAll
		static void setUp() {
			fixtureLogger.error("set-up failed");
		}

		@Test
		void passes() {
		}

	}

}
