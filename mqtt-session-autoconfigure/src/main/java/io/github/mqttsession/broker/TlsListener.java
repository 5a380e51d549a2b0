package io.github.mqttsession.broker;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The TLS listener of an {@link EmbeddedMqttBroker}: its port, the private key and
 * certificate chain it presents, and the TLS protocols and cipher suites it allows.
 * HiveMQ reads its key from a key store file, which the broker writes at every start from
 * what is given here.
 */
public final class TlsListener {

	private final int port;

	private final PrivateKey privateKey;

	private final List<Certificate> certificateChain;

	private final List<String> protocols;

	private final List<String> cipherSuites;

	/**
	 * Creates the settings of a TLS listener.
	 * @param port the TCP port, or 0 to pick a free one when the broker is created
	 * @param privateKey the broker's private key
	 * @param certificateChain the broker's certificate first, then the certificates that
	 * sign it
	 * @param protocols the TLS protocols to allow, such as {@code TLSv1.3}; empty for
	 * HiveMQ's default
	 * @param cipherSuites the cipher suites to allow; empty for HiveMQ's default
	 */
	public TlsListener(int port, PrivateKey privateKey, List<Certificate> certificateChain, List<String> protocols,
			List<String> cipherSuites) {
		if (port < 0 || port > 65_535) {
			throw new IllegalArgumentException("The TLS port must be 0..65535, not " + port);
		}
		if (certificateChain.isEmpty()) {
			throw new IllegalArgumentException("The certificate chain must hold the broker's certificate");
		}
		this.port = port;
		this.privateKey = privateKey;
		this.certificateChain = List.copyOf(certificateChain);
		this.protocols = List.copyOf(protocols);
		this.cipherSuites = List.copyOf(cipherSuites);
	}

	/**
	 * Creates the settings of a TLS listener from the key entry of a key store.
	 * @param port the TCP port, or 0 to pick a free one
	 * @param keyStore the key store, of any type, loaded
	 * @param alias the alias of the key entry, or {@code null} when the store holds one
	 * @param password the password of the key entry; {@code null} for a key without one
	 * (as a key store Spring Boot makes from PEM files may hold)
	 * @param protocols the TLS protocols to allow; empty for HiveMQ's default
	 * @param cipherSuites the cipher suites to allow; empty for HiveMQ's default
	 * @return the settings
	 * @throws IllegalArgumentException when the store has no such key entry, several
	 * without an alias, or the password does not open it
	 */
	public static TlsListener fromKeyStore(int port, KeyStore keyStore, @Nullable String alias,
			char @Nullable [] password, List<String> protocols, List<String> cipherSuites) {
		try {
			String entry = (alias != null) ? alias : onlyKeyAlias(keyStore);
			if (!keyStore.isKeyEntry(entry)) {
				throw new IllegalArgumentException("The key store has no private key under the alias '" + entry
						+ "'; its aliases are " + Collections.list(keyStore.aliases()));
			}
			Key key = key(keyStore, entry, password);
			Certificate[] chain = keyStore.getCertificateChain(entry);
			if (!(key instanceof PrivateKey privateKey) || chain == null || chain.length == 0) {
				throw new IllegalArgumentException(
						"The key store entry '" + entry + "' is not a private key with its certificate chain");
			}
			return new TlsListener(port, privateKey, List.of(chain), protocols, cipherSuites);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("Could not read the private key from the key store: " + ex.getMessage(),
					ex);
		}
	}

	private static String onlyKeyAlias(KeyStore keyStore) throws GeneralSecurityException {
		List<String> keys = new ArrayList<>();
		for (String alias : Collections.list(keyStore.aliases())) {
			if (keyStore.isKeyEntry(alias)) {
				keys.add(alias);
			}
		}
		if (keys.size() != 1) {
			throw new IllegalArgumentException("The key store holds " + keys.size() + " private keys " + keys
					+ "; it must hold one, or the alias of the broker's must be given");
		}
		return keys.get(0);
	}

	private static Key key(KeyStore keyStore, String alias, char @Nullable [] password)
			throws GeneralSecurityException {
		try {
			return keyStore.getKey(alias, password);
		}
		catch (GeneralSecurityException ex) {
			if (password == null) {
				// A PKCS12 key without a password reads with an empty one
				return keyStore.getKey(alias, new char[0]);
			}
			throw ex;
		}
	}

	int getPort() {
		return this.port;
	}

	PrivateKey getPrivateKey() {
		return this.privateKey;
	}

	List<Certificate> getCertificateChain() {
		return this.certificateChain;
	}

	List<String> getProtocols() {
		return this.protocols;
	}

	List<String> getCipherSuites() {
		return this.cipherSuites;
	}

}
