/**
 * The actuator side: the {@code mqttsessions} endpoint and the {@code mqttSession} health
 * indicator.
 */
@NullMarked
package io.github.mqttsession.actuate;

import org.jspecify.annotations.NullMarked;
