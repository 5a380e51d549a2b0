package io.github.mqttsession.store.jpa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.mqttsession.store.PendingMessage;

/**
 * Works out the fewest row changes that turn a stored, ordered list (a session's
 * subscriptions or pending messages) into a wanted one, so that a whole-session save
 * writes only what changed.
 * <p>
 * Rows keep their order through their ids, which only grow: a row that stays keeps its
 * place even when its value changes, and a new value can only go after every row that
 * stays. When the wanted list is the stored list with entries removed or changed and new
 * ones appended (the usual case), only those are written; when it reorders stored entries
 * or puts a new one before a stored one, every row is rewritten. The entries at the start
 * and the end that are the very same (or equal) in both lists are passed over first, so
 * that saving a large session that differs in one entry costs one pass of reference
 * comparisons, not a map of the whole session.
 */
final class SessionDiff {

	private SessionDiff() {
	}

	/**
	 * The changes from the stored list to the wanted one.
	 * @param <V> the value type
	 * @param stored the stored values, in order
	 * @param wanted the wanted values, in order
	 * @param keyOf a value's identity among the others
	 * @return the changes
	 */
	static <V> Changes<V> between(List<V> stored, List<V> wanted, Function<V, Object> keyOf) {
		int head = 0;
		int limit = Math.min(stored.size(), wanted.size());
		while (head < limit && same(stored.get(head), wanted.get(head))) {
			head++;
		}
		int tail = 0;
		while (tail < limit - head
				&& same(stored.get(stored.size() - 1 - tail), wanted.get(wanted.size() - 1 - tail))) {
			tail++;
		}
		List<V> storedMiddle = stored.subList(head, stored.size() - tail);
		List<V> wantedMiddle = wanted.subList(head, wanted.size() - tail);
		Map<Object, V> wantedByKey = new HashMap<>();
		wantedMiddle.forEach((value) -> wantedByKey.put(keyOf.apply(value), value));
		List<V> retained = new ArrayList<>();
		List<V> deleted = new ArrayList<>();
		for (V value : storedMiddle) {
			(wantedByKey.containsKey(keyOf.apply(value)) ? retained : deleted).add(value);
		}
		boolean appends = wantedMiddle.size() > retained.size();
		if (appends && tail > 0) {
			return Changes.rewrite(wanted);
		}
		List<V> written = new ArrayList<>();
		for (int i = 0; i < retained.size(); i++) {
			V value = wantedMiddle.get(i);
			if (!keyOf.apply(value).equals(keyOf.apply(retained.get(i)))) {
				return Changes.rewrite(wanted);
			}
			if (!value.equals(retained.get(i))) {
				written.add(value);
			}
		}
		written.addAll(wantedMiddle.subList(retained.size(), wantedMiddle.size()));
		return new Changes<>(false, deleted, written);
	}

	private static boolean same(Object stored, Object wanted) {
		return stored == wanted || stored.equals(wanted);
	}

	/**
	 * The row changes.
	 *
	 * @param <V> the value type
	 * @param rewrite whether every stored row is deleted and {@code written} inserted in
	 * order
	 * @param deleted values whose rows are deleted (empty for a rewrite)
	 * @param written values written in order: changed ones in their rows, then new ones
	 * after every row
	 */
	record Changes<V>(boolean rewrite, List<V> deleted, List<V> written) {

		static <V> Changes<V> rewrite(List<V> wanted) {
			return new Changes<>(true, List.of(), wanted);
		}

		boolean isEmpty() {
			return !this.rewrite && this.deleted.isEmpty() && this.written.isEmpty();
		}

	}

}
