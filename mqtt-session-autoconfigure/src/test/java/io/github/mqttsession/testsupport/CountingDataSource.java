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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import javax.sql.DataSource;

/**
 * A DataSource that records every SQL statement sent to the database (a batch counts one per row), and can be
 * told to fail the next statement that matches, to see what a failing write leaves behind.
 */
public final class CountingDataSource {

	private final DataSource target;

	private final List<String> executed = new CopyOnWriteArrayList<>();

	private volatile Predicate<String> failNext;

	private volatile boolean down;

	public CountingDataSource(DataSource target) {
		this.target = target;
	}

	/**
	 * The proxy to hand to the code under test.
	 * @return the counting DataSource
	 */
	public DataSource dataSource() {
		return proxy(DataSource.class, this.target,
				(method, args, result) -> method.getName().equals("getConnection") ? connection((Connection) result)
						: result,
				(method) -> method.getName().equals("getConnection") && this.down);
	}

	/** Forgets what was recorded. */
	public void reset() {
		this.executed.clear();
	}

	/**
	 * The statements recorded since the last reset, upper-cased.
	 * @return the statements
	 */
	public List<String> statements() {
		return new ArrayList<>(this.executed);
	}

	/**
	 * How many recorded statements start with a keyword, such as {@code INSERT} or {@code SELECT}.
	 * @param keyword the first word
	 * @return the count
	 */
	public long count(String keyword) {
		return this.executed.stream().filter((sql) -> sql.startsWith(keyword)).count();
	}

	/**
	 * Makes the next statement that matches throw an {@link SQLException}.
	 * @param sql what the statement's SQL must match
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
			if (method.getName().equals("prepareStatement")) {
				return statement((Statement) result, (String) args[0]);
			}
			if (method.getName().equals("createStatement")) {
				return statement((Statement) result, null);
			}
			return result;
		}, (method) -> false);
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
						String sql = normalize((preparedSql != null) ? preparedSql : (String) args[0]);
						Predicate<String> failure = this.failNext;
						if (failure != null && failure.test(sql)) {
							this.failNext = null;
							throw new SQLException("Simulated failure of: " + sql);
						}
						int rows = name.equals("executeBatch") ? batched[0] : 1;
						batched[0] = 0;
						for (int i = 0; i < rows; i++) {
							this.executed.add(sql);
						}
					}
					return invoke(method, statement, args);
				});
	}

	private static String normalize(String sql) {
		return sql.trim().toUpperCase(Locale.ROOT);
	}

	private static <T> T proxy(Class<T> type, T target, ResultMapper mapper, Predicate<Method> failBefore) {
		InvocationHandler handler = (proxy, method, args) -> {
			if (failBefore.test(method)) {
				throw new SQLException("Connection refused: the database is down (simulated)");
			}
			return mapper.map(method, args, invoke(method, target, args));
		};
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
