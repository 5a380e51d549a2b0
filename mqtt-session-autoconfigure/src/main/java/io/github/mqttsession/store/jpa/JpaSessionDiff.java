package io.github.mqttsession.store.jpa;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.mqttsession.store.PendingMessage;

/**
 * Works out the smallest set of row changes that turns an ordered list of stored rows into a wanted ordered list
 * of values, so that a whole-session save writes only what changed.
 * <p>
 * Rows keep their order through their ids, which only grow. When the wanted list is the stored list with some
 * entries removed or changed and new ones appended (the usual case), only those are written. When the wanted list
 * reorders stored entries, every row is rewritten, since ids cannot express the new order otherwise.
 */
final class JpaSessionDiff {

	private JpaSessionDiff() {
	}

	/**
	 * The identity of a pending message within a session.
	 * @param state the message's state
	 * @param packetId the message's packet id
	 * @return a key equal for equal {@code (state, packetId)}
	 */
	static Long messageKey(PendingMessage.State state, int packetId) {
		return ((long) state.ordinal() << 32) | packetId;
	}

	/**
	 * Updates rows that stay but changed, and says which rows to delete and which values to insert.
	 * @param <V> the value type
	 * @param <R> the row type
	 * @param stored the stored rows, in order
	 * @param wanted the wanted values, in order
	 * @param keyOf the key of a value, equal to {@link Row#key()} of its row
	 * @param now the time stamped on changed rows
	 * @return the rows to delete and the values to insert, in order
	 */
	static <V, R extends Row<V>> Changes<V, R> apply(List<R> stored, List<V> wanted, Function<V, Object> keyOf,
			Instant now) {
		Map<Object, V> wantedByKey = new HashMap<>();
		wanted.forEach((value) -> wantedByKey.put(keyOf.apply(value), value));
		List<R> retained = new ArrayList<>();
		List<R> deleted = new ArrayList<>();
		for (R row : stored) {
			(wantedByKey.containsKey(row.key()) ? retained : deleted).add(row);
		}
		for (int i = 0; i < retained.size(); i++) {
			if (!keyOf.apply(wanted.get(i)).equals(retained.get(i).key())) {
				return new Changes<>(stored, wanted);
			}
		}
		for (R row : retained) {
			V value = wantedByKey.get(row.key());
			if (!row.toValue().equals(value)) {
				row.update(value, now);
			}
		}
		return new Changes<>(deleted, wanted.subList(retained.size(), wanted.size()));
	}

	/**
	 * A stored row of a session's child table.
	 * @param <V> the value the row holds
	 */
	interface Row<V> {

		/**
		 * The row's identity within its session.
		 * @return the key
		 */
		Object key();

		/**
		 * The value the row holds.
		 * @return the value
		 */
		V toValue();

		/**
		 * Changes the row to hold another value with the same key.
		 * @param value the value
		 * @param now the time of the change
		 */
		void update(V value, Instant now);

	}

	/**
	 * The rows to delete and the values to insert, in order.
	 * @param <V> the value type
	 * @param <R> the row type
	 * @param deleted rows to delete
	 * @param inserted values to insert, in order, after the deletes
	 */
	record Changes<V, R>(List<R> deleted, List<V> inserted) {
	}

}
