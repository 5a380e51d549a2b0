/**
 * The Paho adapters: {@code MqttClientPersistence} implementations for MQTT 3.1.1 and
 * MQTT 5 that turn Paho's keys and packet bytes into pending messages of
 * {@link io.github.mqttsession.persistence.SessionStorePersistence}, and back, byte for
 * byte. Everything typed by Paho stays in this package; what both versions share is
 * written once in their common superclass.
 */
@NullMarked
package io.github.mqttsession.paho;

import org.jspecify.annotations.NullMarked;
