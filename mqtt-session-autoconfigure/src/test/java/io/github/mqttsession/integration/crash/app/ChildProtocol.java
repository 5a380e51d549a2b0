package io.github.mqttsession.integration.crash.app;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The line protocol a child JVM of the crash tests speaks on its standard output, one
 * stream for the whole process: each line is flushed as it is printed, so what the
 * process printed before a SIGKILL is in the pipe and reaches the test.
 */
public final class ChildProtocol {

	private static final PrintStream OUT = new PrintStream(new FileOutputStream(FileDescriptor.out), true,
			StandardCharsets.UTF_8);

	private ChildProtocol() {
	}

	/**
	 * The stream to print protocol lines to.
	 * @return the stream on the process's standard output
	 */
	public static PrintStream out() {
		return OUT;
	}

}
