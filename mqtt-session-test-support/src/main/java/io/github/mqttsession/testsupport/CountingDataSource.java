package io.github.mqttsession.testsupport;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

/**
 * A DataSource that counts the SQL statements sent to the database (by first word; a
 * batch counts one per row) and the commits, the two costs that decide a durable store's
 * speed. It can also keep the text of every statement, and be told to fail the next
 * statement that matches or every new connection, to see what a failing write leaves
 * behind. Counting goes through JDK proxies, about a microsecond per statement.
 */
public final class CountingDataSource {

	private final DataSource proxy;

	private final Map<String, LongAdder> statements = new ConcurrentHashMap<>();

	private final LongAdder commits = new LongAdder();

	private final @Nullable Queue<String> executed;

	private volatile @Nullable Predicate<String> failNext;

	private volatile boolean down;

	/**
	 * Wraps a DataSource, keeping the text of every statement.
	 * @param target the DataSource that does the work
	 */
	public CountingDataSource(DataSource target) {
		this(target, true);
	}

	private CountingDataSource(DataSource target, boolean keepStatements) {
		this.executed = keepStatements ? new ConcurrentLinkedQueue<>() : null;
		this.proxy = proxy(
				DataSource.class, target, (method, args, result) -> method.getName().equals("getConnection")
						? connection((Connection) result) : result,
				(method) -> method.getName().equals("getConnection") && this.down);
	}

	/**
	 * Wraps a DataSource that only counts, without keeping the statements' text, for runs
	 * of millions of statements.
	 * @param target the DataSource that does the work
	 * @return the counting DataSource
	 */
	public static CountingDataSource countingOnly(DataSource target) {
		return new CountingDataSource(target, false);
	}

	/**
	 * The proxy to hand to the code under test or under measure.
	 * @return the counting DataSource
	 */
	public DataSource dataSource() {
		return this.proxy;
	}

	/** Forgets what was counted and kept. */
	public void reset() {
		this.statements.clear();
		this.commits.reset();
		if (this.executed != null) {
			this.executed.clear();
		}
	}

	/**
	 * The statements sent since the last reset, upper-cased, in order.
	 * @return the statements
	 * @throws IllegalStateException when this DataSource only counts
	 */
	public List<String> statements() {
		if (this.executed == null) {
			throw new IllegalStateException("This CountingDataSource only counts; create it with the constructor");
		}
		return new ArrayList<>(this.executed);
	}

	/**
	 * How many statements sent since the last reset start with a keyword, such as
	 * {@code INSERT} or {@code SELECT}.
	 * @param keyword the first word
	 * @return the count
	 */
	public long count(String keyword) {
		LongAdder count = this.statements.get(keyword.toUpperCase(Locale.ROOT));
		return (count != null) ? count.sum() : 0;
	}

	/**
	 * Statements sent since the last reset.
	 * @return the count
	 */
	public long statementCount() {
		return this.statements.values().stream().mapToLong(LongAdder::sum).sum();
	}

	/**
	 * Statements by their first word, such as {@code INSERT}, {@code DELETE},
	 * {@code SELECT}.
	 * @return counts by keyword, sorted
	 */
	public Map<String, Long> statementsByKeyword() {
		Map<String, Long> counts = new TreeMap<>();
		this.statements.forEach((keyword, count) -> counts.put(keyword, count.sum()));
		return counts;
	}

	/**
	 * Commits since the last reset, a writing statement in auto-commit mode counting as
	 * one.
	 * @return the count
	 */
	public long commitCount() {
		return this.commits.sum();
	}

	/**
	 * Makes the next statement that matches throw an {@link SQLException}.
	 * @param sql what the statement's upper-cased SQL must match
	 */
	public void failNext(Predicate<String> sql) {
		this.failNext = sql;
	}

	/**
	 * Makes every new connection fail, as a database that is down does.
	 * @param down whether the database is down
	 */
	public void setDown(boolean down) {
		this.down = down;
	}

	private Connection connection(Connection connection) {
		return proxy(Connection.class, connection, (method, args, result) -> {
			switch (method.getName()) {
				case "prepareStatement" -> {
					return statement((Statement) result, (String) args[0]);
				}
				case "createStatement" -> {
					return statement((Statement) result, null);
				}
				case "commit" -> this.commits.increment();
				default -> {
				}
			}
			return result;
		}, (method) -> false);
	}

	private Statement statement(Statement statement, @Nullable String preparedSql) {
		Class<?> type = (statement instanceof PreparedStatement) ? PreparedStatement.class : Statement.class;
		int[] batched = { 0 };
		return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> {
					String name = method.getName();
					if (name.equals("addBatch")) {
						batched[0]++;
					}
					if (name.startsWith("execute")) {
						String sql = ((preparedSql != null) ? preparedSql : (String) args[0]).trim()
							.toUpperCase(Locale.ROOT);
						Predicate<String> failure = this.failNext;
						if (failure != null && failure.test(sql)) {
							this.failNext = null;
							throw new SQLException("Simulated failure of: " + sql);
						}
						int rows = name.equals("executeBatch") ? batched[0] : 1;
						batched[0] = 0;
						record(sql, rows, statement);
					}
					return invoke(method, statement, args);
				});
	}

	private void record(String sql, int rows, Statement statement) throws SQLException {
		String keyword = keyword(sql);
		this.statements.computeIfAbsent(keyword, (key) -> new LongAdder()).add(rows);
		// A writing statement in auto-commit mode is a transaction, and a commit, of its
		// own
		if (!keyword.equals("SELECT") && statement.getConnection().getAutoCommit()) {
			this.commits.add(rows);
		}
		if (this.executed != null) {
			for (int i = 0; i < rows; i++) {
				this.executed.add(sql);
			}
		}
	}

	private static String keyword(String sql) {
		int end = 0;
		while (end < sql.length() && !Character.isWhitespace(sql.charAt(end))) {
			end++;
		}
		return sql.substring(0, end);
	}

	private static <T> T proxy(Class<T> type, T target, ResultMapper mapper, Predicate<Method> failBefore) {
		InvocationHandler handler = (proxy, method, args) -> {
			if (failBefore.test(method)) {
				throw new SQLException("Connection refused: the database is down (simulated)");
			}
			return mapper.map(method, args, invoke(method, target, args));
		};
		return type
			.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] { type }, handler));
	}

	private static Object invoke(Method method, Object target, @Nullable Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

	@FunctionalInterface
	private interface ResultMapper {

		Object map(Method method, Object[] args, Object result) throws Throwable;

	}

}
