/**
 * The in-memory session store, the default: sessions live as long as the process.
 */
@NullMarked
package io.github.mqttsession.store.memory;

import org.jspecify.annotations.NullMarked;
