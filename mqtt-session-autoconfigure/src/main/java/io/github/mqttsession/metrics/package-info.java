/**
 * Micrometer meters: the store's operations, timed, and the messages each session holds,
 * stores, completes, restores and drops.
 */
@NullMarked
package io.github.mqttsession.metrics;

import org.jspecify.annotations.NullMarked;
