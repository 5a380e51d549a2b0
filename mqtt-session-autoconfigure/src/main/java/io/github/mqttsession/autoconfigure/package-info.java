/**
 * One auto-configuration per concern (store, client, embedded broker, endpoint, health,
 * metrics), the configuration properties they bind, and the failure analysis of bad
 * settings.
 */
@NullMarked
package io.github.mqttsession.autoconfigure;

import org.jspecify.annotations.NullMarked;
