package io.github.mqttsession.testsupport;

import java.lang.reflect.AnnotatedElement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Fails a test whose code logs an ERROR, or an exception at any level, that the test does
 * not declare with {@link ExpectedLog}. Registered for every test class through JUnit's
 * automatic extension registration.
 * <p>
 * Every event logged while a test method runs, from whichever thread, counts against that
 * method (its {@code @BeforeEach} and {@code @AfterEach} methods included); what is
 * logged while a class's own set-up or tear-down runs, or between its tests, counts
 * against the class. What a class's leftover threads log after it finished fails the next
 * class to start, naming the class it came after. The brokers and databases the tests run
 * in process are not checked (see {@link LoggedEvent}); child processes log to their own
 * output.
 */
public class UnexpectedLogExtension
		implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(UnexpectedLogExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		Recorder recorder = recorder(context);
		Scope between = recorder.takeBetweenClasses();
		open(context, recorder, new Scope(context.getDisplayName(), declarations(context)));
		between.failOnUnexpected();
	}

	@Override
	public void afterAll(ExtensionContext context) {
		Recorder recorder = recorder(context);
		Scope scope = close(context, recorder);
		if (scope != null) {
			recorder.finishedClass(scope);
			scope.failOnUnexpected();
		}
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		String method = context.getRequiredTestMethod().getName();
		String display = context.getDisplayName();
		// A parameterized test's invocations are named by their arguments alone
		String name = context.getRequiredTestClass().getSimpleName() + "."
				+ (display.startsWith(method + "(") ? display : method + "() [" + display + "]");
		open(context, recorder(context), new Scope(name, declarations(context)));
	}

	@Override
	public void afterEach(ExtensionContext context) {
		Scope scope = close(context, recorder(context));
		if (scope != null) {
			scope.failOnUnexpected();
		}
	}

	private static void open(ExtensionContext context, Recorder recorder, Scope scope) {
		recorder.open(scope);
		context.getStore(NAMESPACE).put(Scope.class, scope);
	}

	private static Scope close(ExtensionContext context, Recorder recorder) {
		Scope scope = context.getStore(NAMESPACE).remove(Scope.class, Scope.class);
		if (scope != null) {
			recorder.close(scope);
		}
		return scope;
	}

	private static Recorder recorder(ExtensionContext context) {
		// One per engine run: a test that runs tests of its own through JUnit's test kit
		// has a recorder of its own
		return context.getRoot()
			.getStore(NAMESPACE)
			.computeIfAbsent(Recorder.class, (key) -> new Recorder(), Recorder.class);
	}

	/**
	 * The declarations of the context's method, its class and the classes that enclose
	 * it.
	 */
	private static List<ExpectedLog> declarations(ExtensionContext context) {
		List<ExpectedLog> declarations = new ArrayList<>();
		for (Optional<ExtensionContext> current = Optional.of(context); current
			.isPresent(); current = current.get().getParent()) {
			ExtensionContext level = current.get();
			Optional<AnnotatedElement> element = level.getElement();
			if (element.isPresent() && level.getParent().isPresent()) {
				declarations.addAll(AnnotationSupport.findRepeatableAnnotations(element.get(), ExpectedLog.class));
			}
		}
		return declarations;
	}

	/** What was logged in one test method or class, and what it declares. */
	private static final class Scope {

		private final String name;

		private final List<ExpectedLog> declarations;

		private final List<LoggedEvent> events = new ArrayList<>();

		Scope(String name, List<ExpectedLog> declarations) {
			this.name = name;
			this.declarations = declarations;
		}

		synchronized void add(LoggedEvent event) {
			this.events.add(event);
		}

		void failOnUnexpected() {
			List<LoggedEvent> unexpected;
			synchronized (this) {
				unexpected = this.events.stream()
					.filter((event) -> this.declarations.stream().noneMatch(event::matches))
					.toList();
			}
			if (!unexpected.isEmpty()) {
				throw new AssertionError(report(unexpected));
			}
		}

		private String report(List<LoggedEvent> unexpected) {
			StringBuilder report = new StringBuilder();
			report.append(this.name)
				.append(" logged ")
				.append(unexpected.size())
				.append(" event(s) at ERROR or with an exception that it does not declare with @ExpectedLog:");
			for (LoggedEvent event : unexpected.subList(0, Math.min(unexpected.size(), 10))) {
				report.append("\n  - ").append(event.describe());
			}
			if (unexpected.size() > 10) {
				report.append("\n  ... and ").append(unexpected.size() - 10).append(" more");
			}
			return report.toString();
		}

	}

	/**
	 * The scopes open in one engine run, innermost last: each event counts against the
	 * innermost. Between top-level classes, events count against a scope that carries the
	 * declarations of the class that finished last.
	 */
	private static final class Recorder implements Consumer<LoggedEvent>, AutoCloseable {

		private final List<Scope> open = new ArrayList<>();

		private Scope betweenClasses = new Scope("Before any test class started, the test JVM", List.of());

		Recorder() {
			ProblemLogAppender.addListener(this);
		}

		@Override
		public void accept(LoggedEvent event) {
			Scope scope;
			synchronized (this) {
				scope = this.open.isEmpty() ? this.betweenClasses : this.open.get(this.open.size() - 1);
			}
			scope.add(event);
		}

		synchronized void open(Scope scope) {
			this.open.add(scope);
		}

		synchronized void close(Scope scope) {
			this.open.remove(scope);
		}

		synchronized Scope takeBetweenClasses() {
			Scope taken = this.betweenClasses;
			if (this.open.isEmpty()) {
				this.betweenClasses = new Scope(taken.name, taken.declarations);
				return taken;
			}
			// A nested class: its outer class's scope collected what was logged before it
			return new Scope(taken.name, List.of());
		}

		synchronized void finishedClass(Scope scope) {
			if (this.open.isEmpty()) {
				this.betweenClasses = new Scope("After " + scope.name + " had finished, a thread it left behind",
						scope.declarations);
			}
		}

		@Override
		public void close() {
			ProblemLogAppender.removeListener(this);
			try {
				this.betweenClasses.failOnUnexpected();
			}
			catch (AssertionError ex) {
				// Nothing is left to fail once the last class has finished
				System.err.println(ex.getMessage());
			}
		}

	}

}
