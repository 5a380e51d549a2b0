/**
 * What the tests and the benchmarks of mqtt-session share: real PostgreSQL and HiveMQ
 * servers started in-process, pooled DataSources on them and on H2 files, a DataSource
 * that counts the statements sent, and free ports.
 */
@NullMarked
package io.github.mqttsession.testsupport;

import org.jspecify.annotations.NullMarked;
