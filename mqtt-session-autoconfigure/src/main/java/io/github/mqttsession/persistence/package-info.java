/**
 * The session's write path below the Paho adapters, in terms of
 * {@link io.github.mqttsession.store.PendingMessage}s and their
 * {@linkplain io.github.mqttsession.store.PendingMessage.Key keys}: the claim of a client
 * id in this process ({@code ClientIdClaims}), the lease among instances
 * ({@code SessionLeaseHolder}, its owner named by {@code LeaseOwner}), both held by
 * {@code SessionOwnership}, the restore of a stored session ({@code SessionRestore}), the
 * held messages and their ordered, gathered writes ({@code HeldMessages},
 * {@code OrderedWrites}, {@code PendingMessageWriter}, {@code DeferredWrites}), the
 * in-flight window ({@code SendWindow}), the offline buffer's cap and expiry
 * ({@code PendingMessageCap}, {@code OfflineExpiry}, {@code OfflineBufferSweep});
 * {@code SessionStorePersistence} coordinates them. No Paho type appears here; the types
 * Paho's adapters and the client managers use are public, the others are not.
 * <p>
 * The invariants the write path keeps, here and in the Paho persistence that drives it:
 * <ul>
 * <li>A client id is claimed by at most one persistence per store in this process, from
 * its first open to its release
 * ({@link io.github.mqttsession.persistence.ClientIdClaims}).</li>
 * <li>A key is in the held map iff its write was queued (or applied) and has not failed;
 * the map and the write queue change in one order, under one lock, so writes reach the
 * store in the order the map saw the changes.</li>
 * <li>The writer applies writes in the order they were queued; an addition still queued
 * when its removal arrives is dropped with it only when no other queued write touches its
 * key.</li>
 * <li>A publisher's wait for its write ends when the write is applied, when it fails
 * (with the store's exception), or when the broker acknowledges the message first: an
 * acknowledged message need not be durable.</li>
 * <li>The send window's count equals the held outbound publishes; the buffered keys,
 * oldest first, are exactly the held offline-buffered messages, and the undone keys are
 * some of them.</li>
 * <li>Room for a buffered message is reserved under the cap's lock before it is held, so
 * the held messages plus the reservations never exceed
 * {@code mqtt.session.max-pending-messages}.</li>
 * </ul>
 */
@NullMarked
package io.github.mqttsession.persistence;

import org.jspecify.annotations.NullMarked;
