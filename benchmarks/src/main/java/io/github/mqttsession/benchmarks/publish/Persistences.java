package io.github.mqttsession.benchmarks.publish;

import static io.github.mqttsession.persistence.PendingMessageWriter.DEFAULT_WRITE_DELAY;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mqttsession.benchmarks.support.StoreSchema;
import io.github.mqttsession.paho.SessionStoreMqttClientPersistence;
import io.github.mqttsession.store.SessionStore;
import io.github.mqttsession.store.jpa.JpaSessionStore;
import io.github.mqttsession.store.memory.InMemorySessionStore;
import io.github.mqttsession.testsupport.CountingDataSource;
import io.github.mqttsession.testsupport.Databases;
import io.github.mqttsession.testsupport.Folders;
import org.eclipse.paho.client.mqttv3.MqttClientPersistence;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.client.mqttv3.persist.MqttDefaultFilePersistence;

/**
 * The stores behind the variants, built once per run, and a fresh persistence per variant
 * and round. The JPA stores see their database through a {@link CountingDataSource}, so
 * statements and commits per message are counted.
 */
final class Persistences implements AutoCloseable {

	private final Path files;

	private final InMemorySessionStore memoryStore = new InMemorySessionStore();

	private final HikariDataSource h2;

	private final CountingDataSource h2Counting;

	private final JpaSessionStore h2Store;

	private final HikariDataSource postgres;

	private final CountingDataSource postgresCounting;

	private final JpaSessionStore postgresStore;

	Persistences(Path work, String postgresUrl) {
		try {
			this.files = Files.createDirectories(work.resolve("paho-files"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.h2 = Databases.newH2File(work);
		StoreSchema.createIn(this.h2);
		this.h2Counting = CountingDataSource.countingOnly(this.h2);
		this.h2Store = new JpaSessionStore(this.h2Counting.dataSource());
		this.postgres = Databases.postgres(postgresUrl);
		StoreSchema.createIn(this.postgres);
		Databases.truncateTables(this.postgres);
		this.postgresCounting = CountingDataSource.countingOnly(this.postgres);
		this.postgresStore = new JpaSessionStore(this.postgresCounting.dataSource());
	}

	/**
	 * A new persistence for one run of a variant.
	 * @param variant the variant
	 * @param clientId the client id of the run
	 * @return the persistence and how to clean up after it
	 */
	Opened open(Variant variant, String clientId) {
		return switch (variant) {
			case A -> new Opened(new MemoryPersistence(), null, PublishGate.DIRECT, () -> {
			});
			case A1 -> new Opened(new MemoryPersistence(), null, PublishGate.UNTIL_ACKNOWLEDGED, () -> {
			});
			case B -> {
				Path folder = this.files.resolve(clientId);
				yield new Opened(new MqttDefaultFilePersistence(folder.toString()), null, PublishGate.DIRECT,
						() -> Folders.deleteRecursively(folder));
			}
			case C -> session(this.memoryStore, clientId, null, true, DEFAULT_WRITE_DELAY);
			case D -> session(this.h2Store, clientId, this.h2Counting, true, DEFAULT_WRITE_DELAY);
			case E -> session(this.postgresStore, clientId, this.postgresCounting, true, DEFAULT_WRITE_DELAY);
			case E0 -> session(new OneCommitPerWriteStore(this.postgresStore), clientId, this.postgresCounting, false,
					Duration.ZERO);
			case E1 -> session(this.postgresStore, clientId, this.postgresCounting, false, Duration.ZERO);
			case E2 -> session(this.postgresStore, clientId, this.postgresCounting, true, Duration.ZERO);
		};
	}

	private static Opened session(SessionStore store, String clientId, CountingDataSource counting,
			boolean waitOutsidePahosLock, Duration writeDelay) {
		SessionStoreMqttClientPersistence persistence = new SessionStoreMqttClientPersistence(store, clientId);
		persistence.setWriteDelay(writeDelay);
		PublishGate gate = waitOutsidePahosLock ? persistence::publishDurably : PublishGate.DIRECT;
		return new Opened(persistence, counting, gate, () -> {
			persistence.release();
			store.delete(clientId);
		});
	}

	@Override
	public void close() {
		this.h2Store.close();
		this.postgresStore.close();
		this.h2.close();
		this.postgres.close();
		Folders.deleteRecursively(this.files);
	}

	/**
	 * A persistence ready for one run.
	 *
	 * @param persistence the persistence
	 * @param counting the counting DataSource of a database variant, or {@code null}
	 * @param gate how a publish is run
	 * @param cleanUp what to do once the client is closed
	 */
	record Opened(MqttClientPersistence persistence, CountingDataSource counting, PublishGate gate, Runnable cleanUp) {
	}

}
