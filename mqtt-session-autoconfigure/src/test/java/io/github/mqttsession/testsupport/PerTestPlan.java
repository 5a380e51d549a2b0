package io.github.mqttsession.testsupport;

import java.util.function.Supplier;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a server once for the whole test plan, shared by every test class that registers
 * its extension.
 */
final class PerTestPlan {

	private PerTestPlan() {
	}

	/**
	 * The one instance of a server, started on first use.
	 * @param context any test's extension context
	 * @param type the server's type, which is also its key
	 * @param start starts the server
	 * @return the running server
	 */
	static <T extends AutoCloseable> T shared(ExtensionContext context, Class<T> type, Supplier<T> start) {
		// The root store closes AutoCloseable values when the whole test plan ends
		return context.getRoot()
			.getStore(ExtensionContext.Namespace.GLOBAL)
			.computeIfAbsent(type, (key) -> start.get(), type);
	}

}
