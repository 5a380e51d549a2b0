package io.github.mqttsession.benchmarks;

import java.nio.file.Path;

/**
 * What every part of a benchmark run works with.
 *
 * @param settings the run's size
 * @param work a folder for files and H2 databases
 * @param postgresUrl the run's PostgreSQL server's JDBC URL
 * @param report where results go
 */
public record Part(Settings settings, Path work, String postgresUrl, Report report) {
}
