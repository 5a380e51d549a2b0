package io.github.mqttsession.apps;

import io.github.mqttsession.apps.minimal.MinimalApplication;
import io.github.mqttsession.testsupport.EmbeddedPostgresExtension;
import io.github.mqttsession.testsupport.ExpectedStartupFailureReport;
import io.github.mqttsession.testsupport.FreePort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a person sees when an application with bad session settings starts: Boot's failure
 * report.
 */
@ExtendWith({ EmbeddedPostgresExtension.class, OutputCaptureExtension.class })
@ExpectedStartupFailureReport
class StartupFailureReportTests {

	private static final String NO_DATABASE = "spring.autoconfigure.exclude="
			+ "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration,"
			+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
			+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration";

	@Test
	void anUnknownStoreTypeIsReportedWithTheValidValues(CapturedOutput output) {
		startFails("mqtt.session.store=redis", NO_DATABASE);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("mqtt.session.store")
			.contains("redis")
			.contains("AUTO")
			.contains("MEMORY")
			.contains("JPA");
	}

	@Test
	void storeJpaWithoutADatabaseIsReportedWithWhatToAdd(CapturedOutput output) {
		startFails("mqtt.session.store=jpa", NO_DATABASE);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("mqtt.session.store=jpa asks for the JPA session store, but there is no DataSource bean.")
			.contains("Add spring-boot-starter-data-jpa");
	}

	@Test
	void anInvalidTablePrefixIsReportedWithTheRule(CapturedOutput output) {
		startFails("mqtt.session.jpa.table-prefix=1st", "spring.datasource.url=jdbc:h2:mem:prefix");
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '1st' for configuration property 'mqtt.session.jpa.table-prefix'")
			.contains("must start with a letter");
	}

	@Test
	void anUnknownInitializeSchemaModeIsReportedWithTheValidValues(CapturedOutput output) {
		startFails("mqtt.session.jpa.initialize-schema=sometimes", "spring.datasource.url=jdbc:h2:mem:mode");
		assertThat(output).contains("mqtt.session.jpa.initialize-schema")
			.contains("sometimes")
			.contains("ALWAYS")
			.contains("EMBEDDED")
			.contains("NEVER");
	}

	@ParameterizedTest(name = "mqtt.session.store={0}")
	@ValueSource(strings = { "auto", "jpa" })
	void aDatabaseThatCannotBeReachedIsReportedWithItsUrlTheCauseAndTheStoreProperty(String store,
			CapturedOutput output) {
		// The embedded server's own URL, with a port nothing listens on: a database that
		// is down
		String url = EmbeddedPostgresExtension.jdbcUrl()
			.replace(":" + EmbeddedPostgresExtension.port() + "/", ":" + FreePort.find() + "/");
		startFails("spring.datasource.url=" + url, "mqtt.session.store=" + store);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The JPA session store cannot reach its database at " + url
					+ ": java.net.ConnectException: Connection refused")
			.contains("The starter needs the database: mqtt.session.store=" + store)
			.contains("Start the database, or correct the DataSource (spring.datasource.url")
			.doesNotContain("Failed to determine DatabaseDriver");
	}

	@ParameterizedTest(name = "mqtt.session.store={0}")
	@ValueSource(strings = { "auto", "jpa" })
	void aDatabaseTheJpaStoreDoesNotSupportIsReportedWithTheSupportedOnes(String store, CapturedOutput output) {
		startFails("spring.datasource.url=jdbc:hsqldb:mem:unsupported-" + store, "mqtt.session.store=" + store);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The JPA session store supports H2 and PostgreSQL, but the DataSource at jdbc:hsqldb:mem:"
					+ "unsupported-" + store + " is HSQL Database Engine")
			.contains("mqtt.session.store=" + store)
			.contains(
					"supply a SessionStore bean of your own, or keep sessions in memory with mqtt.session.store=memory")
			.doesNotContain("No schema scripts found");
	}

	private static void startFails(String... properties) {
		assertThatException()
			.isThrownBy(() -> new SpringApplicationBuilder(MinimalApplication.class).web(WebApplicationType.NONE)
				.properties(properties)
				.properties("spring.main.banner-mode=off", "mqtt.client.enabled=false")
				.run()
				.close());
	}

}
