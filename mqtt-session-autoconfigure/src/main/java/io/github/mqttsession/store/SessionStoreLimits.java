package io.github.mqttsession.store;

/**
 * A {@link SessionStoreFeature} of a store that accepts shorter client ids or topic
 * filters than MQTT allows (65,535 UTF-8 bytes), such as a database store whose key
 * columns are indexed. The starter checks the configured client id and topic filters
 * against these limits at start-up, so that a value the store would refuse fails there,
 * naming the property, rather than on the first write after connecting.
 * <p>
 * Ask a store for it with {@code store.feature(SessionStoreLimits.class)}, which sees
 * through decorators (see {@link SessionStoreFeature}).
 */
public interface SessionStoreLimits extends SessionStoreFeature {

	/**
	 * The longest client id the store accepts.
	 * @return the limit in UTF-8 bytes, at most {@link MqttNames#MAX_UTF8_BYTES}
	 */
	int maxClientIdBytes();

	/**
	 * The longest topic filter the store accepts.
	 * @return the limit in UTF-8 bytes, at most {@link MqttNames#MAX_UTF8_BYTES}
	 */
	int maxTopicFilterBytes();

}
