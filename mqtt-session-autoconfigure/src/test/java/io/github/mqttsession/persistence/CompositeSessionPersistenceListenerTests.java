package io.github.mqttsession.persistence;

import java.util.ArrayList;
import java.util.List;

import io.github.mqttsession.store.PendingMessage;
import io.github.mqttsession.testsupport.ExpectedLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Every listener hears every event, in order, whatever the others do.
 */
@ExtendWith(OutputCaptureExtension.class)
class CompositeSessionPersistenceListenerTests {

	private static final PendingMessage MESSAGE = PendingMessage.pubrel(7);

	@Test
	void withoutListenersNothingIsTold() {
		assertThat(CompositeSessionPersistenceListener.of(List.of())).isSameAs(SessionPersistenceListener.NONE);
	}

	@Test
	void everyListenerHearsEveryEventInOrder() {
		List<String> heard = new ArrayList<>();
		SessionPersistenceListener listener = CompositeSessionPersistenceListener
			.of(List.of(new Recording("first", heard), new Recording("second", heard)));
		listener.persisted("client", MESSAGE);
		listener.removed("client", PendingMessage.State.OUTBOUND_PUBREL, 7);
		listener.droppedByOverflow("client", MESSAGE);
		listener.expired("client", MESSAGE);
		listener.restored("client", 3);
		assertThat(heard).containsExactly("first persisted", "second persisted", "first removed", "second removed",
				"first dropped", "second dropped", "first expired", "second expired", "first restored",
				"second restored");
	}

	@Test
	@ExpectedLog(level = ExpectedLog.Level.WARN,
			logger = "io.github.mqttsession.persistence.CompositeSessionPersistenceListener",
			message = "failed on persisted", reason = "a listener that throws")
	void aFailingListenerIsReportedOncePerEventAndHoldsUpNeitherTheOthersNorTheCaller(CapturedOutput output) {
		List<String> heard = new ArrayList<>();
		SessionPersistenceListener listener = CompositeSessionPersistenceListener
			.of(List.of(new Failing(), new Recording("after", heard)));
		assertThatNoException().isThrownBy(() -> {
			listener.persisted("client", MESSAGE);
			listener.persisted("client", MESSAGE);
			listener.persisted("client", MESSAGE);
		});
		assertThat(heard).containsExactly("after persisted", "after persisted", "after persisted");
		assertThat(output.getAll().split("failed on persisted", -1)).hasSize(2);
	}

	private record Recording(String name, List<String> heard) implements SessionPersistenceListener {

		@Override
		public void persisted(String clientId, PendingMessage message) {
			this.heard.add(this.name + " persisted");
		}

		@Override
		public void removed(String clientId, PendingMessage.State state, int packetId) {
			this.heard.add(this.name + " removed");
		}

		@Override
		public void droppedByOverflow(String clientId, PendingMessage message) {
			this.heard.add(this.name + " dropped");
		}

		@Override
		public void expired(String clientId, PendingMessage message) {
			this.heard.add(this.name + " expired");
		}

		@Override
		public void restored(String clientId, int pendingMessages) {
			this.heard.add(this.name + " restored");
		}

	}

	private static final class Failing implements SessionPersistenceListener {

		@Override
		public void persisted(String clientId, PendingMessage message) {
			throw new IllegalStateException("listener broken");
		}

	}

}
