/**
 * The session store SPI and the session model:
 * {@link io.github.mqttsession.store.SessionStore}, what a session holds
 * ({@link io.github.mqttsession.store.MqttSession},
 * {@link io.github.mqttsession.store.Subscription},
 * {@link io.github.mqttsession.store.PendingMessage} and its one identity,
 * {@link io.github.mqttsession.store.PendingMessage.Key}), and the optional features a
 * store may implement. Free of Spring and Paho, so that a store of one's own needs
 * neither.
 */
@NullMarked
package io.github.mqttsession.store;

import org.jspecify.annotations.NullMarked;
