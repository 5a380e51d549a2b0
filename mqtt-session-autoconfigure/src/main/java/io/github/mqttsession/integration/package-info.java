/**
 * Spring Integration's side: the client managers that build Paho clients on a durable
 * session, the inbound adapters and outbound handlers that use them, and runtime
 * subscriptions that write through to the session.
 */
@NullMarked
package io.github.mqttsession.integration;

import org.jspecify.annotations.NullMarked;
