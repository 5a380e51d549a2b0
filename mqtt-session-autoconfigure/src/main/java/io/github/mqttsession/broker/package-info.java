/**
 * The embedded MQTT broker, for running an application (the sample, a test) with no
 * broker installed.
 */
@NullMarked
package io.github.mqttsession.broker;

import org.jspecify.annotations.NullMarked;
