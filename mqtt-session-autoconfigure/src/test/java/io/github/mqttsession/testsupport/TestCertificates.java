package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test with the JDK's {@code keytool}: a certificate authority,
 * server certificates it signs for the names given, and an unrelated authority a client
 * may wrongly trust. Each is written as a PKCS12 key store and as PEM files, so that a
 * test can configure both kinds of Spring Boot SSL bundle.
 */
public final class TestCertificates {

	/** The password of every key store written here. */
	public static final String PASSWORD = "changeit";

	private final Path directory;

	private TestCertificates(Path directory) {
		this.directory = directory;
	}

	/**
	 * Makes a certificate authority in the given directory: {@code ca.p12} and
	 * {@code ca.pem}.
	 * @param directory where the files go
	 * @return the certificates, to make server certificates with
	 */
	public static TestCertificates authority(Path directory) {
		TestCertificates certificates = new TestCertificates(directory);
		certificates.selfSigned("ca");
		return certificates;
	}

	/**
	 * Makes another, unrelated certificate authority: {@code name.p12} and
	 * {@code name.pem}.
	 * @param name the file name's stem
	 * @return the PEM file of its certificate
	 */
	public Path unrelatedAuthority(String name) {
		selfSigned(name);
		return pem(name);
	}

	/**
	 * Makes a server key and a certificate the authority signs for the given subject
	 * alternative names: {@code name.p12} (the key with its chain), {@code name.pem} (the
	 * chain) and {@code name-key.pem} (the unencrypted PKCS#8 key).
	 * @param name the file name's stem
	 * @param subjectAlternativeNames such as {@code dns:localhost,ip:127.0.0.1}
	 */
	public void server(String name, String subjectAlternativeNames) {
		Path store = this.directory.resolve(name + ".p12");
		keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
				"-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD);
		Path request = this.directory.resolve(name + ".csr");
		keytool("-certreq", "-alias", name, "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
				request.toString());
		Path signed = this.directory.resolve(name + ".crt");
		keytool("-gencert", "-alias", "ca", "-keystore", this.directory.resolve("ca.p12").toString(), "-storepass",
				PASSWORD, "-infile", request.toString(), "-outfile", signed.toString(), "-rfc", "-validity", "2",
				"-ext", "SAN=" + subjectAlternativeNames, "-ext", "EKU=serverAuth");
		// keytool links the signed certificate to its authority only when it trusts it
		keytool("-importcert", "-noprompt", "-alias", "ca", "-file", pem("ca").toString(), "-keystore",
				store.toString(), "-storepass", PASSWORD);
		keytool("-importcert", "-alias", name, "-file", signed.toString(), "-keystore", store.toString(), "-storepass",
				PASSWORD);
		writePem(store, name);
	}

	/**
	 * A file written here.
	 * @param fileName such as {@code server.p12}
	 * @return its path
	 */
	public Path file(String fileName) {
		return this.directory.resolve(fileName);
	}

	/**
	 * The PEM file of a certificate (chain).
	 * @param name the file name's stem
	 * @return {@code name.pem}
	 */
	public Path pem(String name) {
		return this.directory.resolve(name + ".pem");
	}

	private void selfSigned(String name) {
		Path store = this.directory.resolve(name + ".p12");
		keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
				"CN=Test authority " + name, "-ext", "bc:c", "-validity", "2", "-keystore", store.toString(),
				"-storetype", "PKCS12", "-storepass", PASSWORD);
		keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", store.toString(), "-storepass", PASSWORD, "-file",
				pem(name).toString());
	}

	private void writePem(Path store, String alias) {
		try (InputStream in = Files.newInputStream(store)) {
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			keyStore.load(in, PASSWORD.toCharArray());
			Key key = keyStore.getKey(alias, PASSWORD.toCharArray());
			List<String> chain = new ArrayList<>();
			for (Certificate certificate : keyStore.getCertificateChain(alias)) {
				chain.add(pemBlock("CERTIFICATE", certificate.getEncoded()));
			}
			Files.writeString(pem(alias), String.join("", chain));
			Files.writeString(this.directory.resolve(alias + "-key.pem"), pemBlock("PRIVATE KEY", key.getEncoded()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pemBlock(String type, byte[] der) {
		String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
		return "-----BEGIN " + type + "-----\n" + base64 + "\n-----END " + type + "-----\n";
	}

	private void keytool(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			byte[] output = process.getInputStream().readAllBytes();
			if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
				throw new IllegalStateException(
						"keytool failed: " + command + "\n" + new String(output, StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
