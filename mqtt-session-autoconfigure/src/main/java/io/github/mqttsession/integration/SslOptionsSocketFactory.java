package io.github.mqttsession.integration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link SSLSocketFactory} that restricts every socket it creates to the given TLS
 * protocols and cipher suites. Paho creates its TLS sockets from the factory in its
 * connect options and enables on them only what that factory enabled, so the protocols
 * and ciphers an SSL bundle names have to be set here, on each socket, or they would not
 * apply.
 */
public final class SslOptionsSocketFactory extends SSLSocketFactory {

	private final SSLSocketFactory delegate;

	private final String[] protocols;

	private final String[] cipherSuites;

	/**
	 * Creates a factory that restricts the sockets of another.
	 * @param delegate the factory that creates the sockets
	 * @param protocols the protocols to enable, such as {@code TLSv1.3}; empty for the
	 * delegate's own
	 * @param cipherSuites the cipher suites to enable; empty for the delegate's own
	 */
	public SslOptionsSocketFactory(SSLSocketFactory delegate, List<String> protocols, List<String> cipherSuites) {
		this.delegate = delegate;
		this.protocols = protocols.toArray(String[]::new);
		this.cipherSuites = cipherSuites.toArray(String[]::new);
	}

	@Override
	public String[] getDefaultCipherSuites() {
		return (this.cipherSuites.length > 0) ? this.cipherSuites.clone() : this.delegate.getDefaultCipherSuites();
	}

	@Override
	public String[] getSupportedCipherSuites() {
		return this.delegate.getSupportedCipherSuites();
	}

	@Override
	public Socket createSocket() throws IOException {
		return restrict(this.delegate.createSocket());
	}

	@Override
	public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
		return restrict(this.delegate.createSocket(socket, host, port, autoClose));
	}

	@Override
	public Socket createSocket(String host, int port) throws IOException {
		return restrict(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
		return restrict(this.delegate.createSocket(host, port, localHost, localPort));
	}

	@Override
	public Socket createSocket(InetAddress host, int port) throws IOException {
		return restrict(this.delegate.createSocket(host, port));
	}

	@Override
	public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
			throws IOException {
		return restrict(this.delegate.createSocket(address, port, localAddress, localPort));
	}

	private Socket restrict(Socket socket) {
		if (socket instanceof SSLSocket ssl) {
			if (this.protocols.length > 0) {
				ssl.setEnabledProtocols(this.protocols);
			}
			if (this.cipherSuites.length > 0) {
				ssl.setEnabledCipherSuites(this.cipherSuites);
			}
		}
		return socket;
	}

}
