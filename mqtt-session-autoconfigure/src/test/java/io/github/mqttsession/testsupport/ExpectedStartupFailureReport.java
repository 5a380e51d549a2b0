package io.github.mqttsession.testsupport;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that the test starts an application that fails, and expects Spring Boot's
 * failure report, which Boot logs at ERROR.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@ExpectedLog(level = ExpectedLog.Level.ERROR,
		logger = "org.springframework.boot.diagnostics.LoggingFailureAnalysisReporter",
		message = "APPLICATION FAILED TO START")
public @interface ExpectedStartupFailureReport {

}
