/**
 * Micrometer observations of what the MQTT client publishes and receives: their
 * documentation ({@link io.github.mqttsession.observation.MqttSessionObservation}), the
 * contexts that carry the trace context across the broker, and the conventions that name
 * and tag them, which an application replaces by a bean of its own. No Paho types, so the
 * same contexts serve MQTT 3.1.1 and 5.
 */
@NullMarked
package io.github.mqttsession.observation;

import org.jspecify.annotations.NullMarked;
