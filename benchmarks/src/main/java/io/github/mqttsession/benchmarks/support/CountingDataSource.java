package io.github.mqttsession.benchmarks.support;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

/**
 * A DataSource that counts the SQL statements sent to the database (by first word; a batch counts one per row) and
 * the commits, the two costs that decide a durable store's speed. The idea of the test suite's
 * {@code CountingDataSource}, copied so the benchmarks do not depend on test classes. Counting goes through JDK
 * proxies, about a microsecond per statement.
 */
public final class CountingDataSource {

	private final DataSource target;

	private final Map<String, LongAdder> statements = new ConcurrentHashMap<>();

	private final LongAdder commits = new LongAdder();

	private final LongAdder rollbacks = new LongAdder();

	private final DataSource proxy;

	/**
	 * Wraps a DataSource.
	 * @param target the DataSource that does the work
	 */
	public CountingDataSource(DataSource target) {
		this.target = target;
		this.proxy = proxy(DataSource.class, target, (method, args, result) -> {
			if (method.getName().equals("getConnection")) {
				return connection((Connection) result);
			}
			return result;
		});
	}

	/**
	 * The counting DataSource to hand to the code under measure.
	 * @return the DataSource
	 */
	public DataSource dataSource() {
		return this.proxy;
	}

	/**
	 * The DataSource underneath, for set-up work that should not be counted.
	 * @return the DataSource
	 */
	public DataSource target() {
		return this.target;
	}

	/** Forgets the counts. */
	public void reset() {
		this.statements.clear();
		this.commits.reset();
		this.rollbacks.reset();
	}

	/**
	 * Statements sent since the last reset.
	 * @return the count
	 */
	public long statementCount() {
		return this.statements.values().stream().mapToLong(LongAdder::sum).sum();
	}

	/**
	 * Commits since the last reset.
	 * @return the count
	 */
	public long commitCount() {
		return this.commits.sum();
	}

	/**
	 * Rollbacks since the last reset.
	 * @return the count
	 */
	public long rollbackCount() {
		return this.rollbacks.sum();
	}

	/**
	 * Statements by their first word, such as {@code INSERT}, {@code DELETE}, {@code SELECT}.
	 * @return counts by keyword, sorted
	 */
	public Map<String, Long> statementsByKeyword() {
		Map<String, Long> counts = new TreeMap<>();
		this.statements.forEach((keyword, count) -> counts.put(keyword, count.sum()));
		return counts;
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
				case "rollback" -> this.rollbacks.increment();
				default -> {
				}
			}
			return result;
		});
	}

	private Statement statement(Statement statement, String preparedSql) {
		Class<?> type = (statement instanceof PreparedStatement) ? PreparedStatement.class : Statement.class;
		int[] batched = { 0 };
		return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { type },
				(proxy, method, args) -> {
					String name = method.getName();
					if (name.equals("addBatch")) {
						batched[0]++;
					}
					if (name.startsWith("execute")) {
						String sql = (preparedSql != null) ? preparedSql : (String) args[0];
						int rows = name.equals("executeBatch") ? batched[0] : 1;
						batched[0] = 0;
						String keyword = keyword(sql);
						this.statements.computeIfAbsent(keyword, (key) -> new LongAdder()).add(rows);
						// A writing statement in auto-commit mode is a transaction, and a commit, of its own
						if (!keyword.equals("SELECT") && statement.getConnection().getAutoCommit()) {
							this.commits.add(rows);
						}
					}
					return invoke(method, statement, args);
				});
	}

	private static String keyword(String sql) {
		String trimmed = sql.trim();
		int space = trimmed.indexOf(' ');
		return ((space > 0) ? trimmed.substring(0, space) : trimmed).toUpperCase(Locale.ROOT);
	}

	private static <T> T proxy(Class<T> type, T target, ResultMapper mapper) {
		InvocationHandler handler = (proxy, method, args) -> mapper.map(method, args, invoke(method, target, args));
		return type.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] { type },
				handler));
	}

	private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
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
