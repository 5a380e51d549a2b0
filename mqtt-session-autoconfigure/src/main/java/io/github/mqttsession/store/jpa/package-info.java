/**
 * The relational session store: JPA entities define and validate the tables, plain JDBC
 * statements (all of them in
 * {@link io.github.mqttsession.store.jpa.SessionStoreStatements}) read and write them,
 * each write in a transaction of its own.
 */
@NullMarked
package io.github.mqttsession.store.jpa;

import org.jspecify.annotations.NullMarked;
