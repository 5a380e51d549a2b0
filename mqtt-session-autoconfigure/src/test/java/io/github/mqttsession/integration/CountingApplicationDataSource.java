package io.github.mqttsession.integration;

import javax.sql.DataSource;

import io.github.mqttsession.testsupport.CountingDataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Counts the statements and commits on a test application's DataSource: a source to add
 * to the application, then {@link #of} to read the counts.
 */
@Configuration(proxyBeanMethods = false)
class CountingApplicationDataSource {

	@Bean
	static CountingPostProcessor countingPostProcessor() {
		return new CountingPostProcessor();
	}

	/**
	 * The counts of a running application that has this configuration among its sources.
	 * @param context the application
	 * @return what counts its DataSource's statements
	 */
	static CountingDataSource of(ApplicationContext context) {
		return context.getBean(CountingPostProcessor.class).counting;
	}

	/** Wraps the application's DataSource in a {@link CountingDataSource}. */
	static class CountingPostProcessor implements BeanPostProcessor {

		private volatile CountingDataSource counting;

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof DataSource dataSource && beanName.equals("dataSource")) {
				this.counting = new CountingDataSource(dataSource);
				return this.counting.dataSource();
			}
			return bean;
		}

	}

}
