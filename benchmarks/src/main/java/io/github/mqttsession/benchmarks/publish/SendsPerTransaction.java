package io.github.mqttsession.benchmarks.publish;

/**
 * How the transactional-sends benchmark groups its sends: none in a transaction (the
 * baseline), each in a transaction of its own, or ten to a transaction.
 */
enum SendsPerTransaction {

	/** Sends outside any transaction, published at once: the baseline. */
	PLAIN(0, "plain", "outside transactions (the baseline)"),

	/** Each send in a transaction of its own. */
	ONE(1, "tx1", "1 send per transaction"),

	/** Ten sends in each transaction. */
	TEN(10, "tx10", "10 sends per transaction");

	/** Sends per transaction; 0 for sends outside transactions. */
	final int sends;

	final String id;

	final String description;

	SendsPerTransaction(int sends, String id, String description) {
		this.sends = sends;
		this.id = id;
		this.description = description;
	}

}
