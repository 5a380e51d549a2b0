package io.github.mqttsession.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares a log event a test provokes on purpose, so that {@link UnexpectedLogExtension}
 * does not fail the test for it. An event is declared when every attribute given matches
 * it; attributes left out match anything.
 * <p>
 * On a test method it covers what the method logs, on a test class what every test of the
 * class and the class's own set-up and tear-down log. A declaration allows an event, it
 * does not require one: a test that must see the event asserts it itself.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Repeatable(ExpectedLogs.class)
public @interface ExpectedLog {

	/**
	 * The level the event is logged at.
	 * @return the level, {@link Level#ANY} for any
	 */
	Level level() default Level.ANY;

	/**
	 * The name of the logger, or of a parent of it, the event is logged by.
	 * @return a logger name, empty for any
	 */
	String logger() default "";

	/**
	 * Text the event's message contains.
	 * @return the text, empty for any
	 */
	String message() default "";

	/**
	 * An exception the event carries, itself or as a cause at any depth.
	 * @return the exception type, {@code Throwable} for any exception or none
	 */
	Class<? extends Throwable> exception() default Throwable.class;

	/**
	 * Text the message of the event's exception, or of one of its causes, contains.
	 * @return the text, empty for any
	 */
	String exceptionMessage() default "";

	/**
	 * Why the test provokes the event, for the reader; not matched.
	 * @return the reason
	 */
	String reason() default "";

	/** The levels a declaration can name. */
	enum Level {

		/** Any level. */
		ANY,

		/** ERROR. */
		ERROR,

		/** WARN. */
		WARN,

		/** INFO. */
		INFO

	}

}
