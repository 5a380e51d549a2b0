package io.github.mqttsession.store.jpa;

import java.util.List;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a whole-session save works out which rows to write: values are "key=value" strings
 * here.
 */
class SessionDiffTests {

	private static final Function<String, Object> KEY = (value) -> value.substring(0, value.indexOf('='));

	@Test
	void theSameListChangesNothing() {
		List<String> stored = List.of("a=1", "b=1", "c=1");
		assertThat(SessionDiff.between(stored, List.copyOf(stored), KEY).isEmpty()).isTrue();
	}

	@Test
	void anAppendedValueIsWrittenAlone() {
		assertThat(SessionDiff.between(List.of("a=1", "b=1"), List.of("a=1", "b=1", "c=1"), KEY))
			.isEqualTo(new SessionDiff.Changes<>(false, List.of(), List.of("c=1")));
	}

	@Test
	void aValueRemovedFromTheMiddleIsDeletedAlone() {
		assertThat(SessionDiff.between(List.of("a=1", "b=1", "c=1"), List.of("a=1", "c=1"), KEY))
			.isEqualTo(new SessionDiff.Changes<>(false, List.of("b=1"), List.of()));
	}

	@Test
	void aChangedValueIsWrittenInItsRowAndAnAppendedOneAfter() {
		assertThat(SessionDiff.between(List.of("a=1", "b=1", "c=1"), List.of("b=2", "c=1", "d=1"), KEY))
			.isEqualTo(new SessionDiff.Changes<>(false, List.of("a=1"), List.of("b=2", "d=1")));
	}

	@Test
	void aNewValueBeforeAStoredOneRewritesEverything() {
		assertThat(SessionDiff.between(List.of("a=1", "c=1"), List.of("a=1", "b=1", "c=1"), KEY))
			.isEqualTo(new SessionDiff.Changes<>(true, List.of(), List.of("a=1", "b=1", "c=1")));
	}

	@Test
	void aReorderRewritesEverything() {
		assertThat(SessionDiff.between(List.of("a=1", "b=1"), List.of("b=1", "a=1"), KEY).rewrite()).isTrue();
	}

	@Test
	void equalValuesThatAreNotTheSameObjectsAreUnchanged() {
		List<String> stored = List.of(new String("a=1"), new String("b=1"));
		assertThat(SessionDiff.between(stored, List.of("a=1", "b=1"), KEY).isEmpty()).isTrue();
	}

}
