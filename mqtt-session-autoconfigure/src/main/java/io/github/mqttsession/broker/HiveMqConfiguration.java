package io.github.mqttsession.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Writes the configuration HiveMQ reads at start-up: {@code config.xml}, and for a TLS
 * listener the PKCS12 key store it names, under a password generated at every start.
 */
final class HiveMqConfiguration {

	/** The key store's file, beside {@code config.xml}. */
	static final String KEY_STORE_FILE = "tls-keystore.p12";

	private static final SecureRandom RANDOM = new SecureRandom();

	private HiveMqConfiguration() {
	}

	/**
	 * Writes the configuration into the broker's configuration directory.
	 * @param directory the configuration directory
	 * @param host the address to listen on
	 * @param port the TCP port
	 * @param persistence how the broker keeps sessions
	 * @param tls the TLS listener, or {@code null} for none
	 * @param tlsPort the TLS listener's port, resolved when 0 was asked for
	 */
	static void write(Path directory, String host, int port, EmbeddedMqttBroker.Persistence persistence,
			@Nullable TlsListener tls, int tlsPort) {
		String tlsListener = "";
		if (tls != null) {
			String password = generatePassword();
			Path keyStore = directory.resolve(KEY_STORE_FILE);
			writeKeyStore(keyStore, tls, password.toCharArray());
			tlsListener = tlsListenerXml(host, tlsPort, tls, keyStore, password);
		}
		// Usage statistics would report to HiveMQ over the internet from every
		// developer's machine
		String xml = """
				<?xml version="1.0"?>
				<!-- Written by mqtt-session at every start of the embedded broker; edits are overwritten. -->
				<hivemq>
					<listeners>
						<tcp-listener>
							<port>%d</port>
							<bind-address>%s</bind-address>
						</tcp-listener>
				%s	</listeners>
					<persistence>
						<mode>%s</mode>
					</persistence>
					<anonymous-usage-statistics>
						<enabled>false</enabled>
					</anonymous-usage-statistics>
				</hivemq>
				""".formatted(port, xmlText(host), tlsListener, persistence.mode());
		Path file = directory.resolve("config.xml");
		try {
			// It holds the key store's password once there is a TLS listener
			writeOwnerOnly(file, xml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write the embedded MQTT broker's configuration " + file, ex);
		}
	}

	private static String tlsListenerXml(String host, int port, TlsListener tls, Path keyStore, String password) {
		return """
						<tls-tcp-listener>
							<port>%d</port>
							<bind-address>%s</bind-address>
							<tls>
								<keystore>
									<path>%s</path>
									<password>%s</password>
									<private-key-password>%s</private-key-password>
								</keystore>
				%s%s				<client-authentication-mode>NONE</client-authentication-mode>
							</tls>
						</tls-tcp-listener>
				""".formatted(port, xmlText(host), xmlText(keyStore.toString()), password, password,
				list("protocols", "protocol", tls.getProtocols()),
				list("cipher-suites", "cipher-suite", tls.getCipherSuites()));
	}

	private static String list(String element, String item, List<String> values) {
		if (values.isEmpty()) {
			return "";
		}
		StringBuilder xml = new StringBuilder("\t\t\t\t<" + element + ">\n");
		for (String value : values) {
			xml.append("\t\t\t\t\t<")
				.append(item)
				.append('>')
				.append(xmlText(value))
				.append("</")
				.append(item)
				.append(">\n");
		}
		return xml.append("\t\t\t\t</").append(element).append(">\n").toString();
	}

	private static void writeKeyStore(Path file, TlsListener tls, char[] password) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setKeyEntry("broker", tls.getPrivateKey(), password,
					tls.getCertificateChain().toArray(Certificate[]::new));
			try (OutputStream out = Files.newOutputStream(file)) {
				store.store(out, password);
			}
			restrictToOwner(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not write the embedded MQTT broker's key store " + file, ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not make the embedded MQTT broker's key store: " + ex.getMessage(),
					ex);
		}
	}

	private static void writeOwnerOnly(Path file, byte[] content) throws IOException {
		Files.write(file, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
				StandardOpenOption.WRITE);
		restrictToOwner(file);
	}

	private static void restrictToOwner(Path file) throws IOException {
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
		}
	}

	private static String generatePassword() {
		byte[] bytes = new byte[24];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	static String xmlText(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

}
