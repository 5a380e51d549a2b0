package io.github.mqttsession.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process TCP proxy between MQTT clients and a broker, to simulate network trouble:
 * it can cut every connection abruptly and refuse new ones, hold back all traffic in one
 * direction, or hold back only MQTT control packets of given types while everything else
 * flows.
 * <p>
 * {@link #forAnyProtocol(String, int)} makes one for other protocols, such as a
 * database's, without the holds by packet type.
 * <p>
 * Holds apply to current and future connections alike. What a hold buffered for a
 * connection is lost when that connection closes, as it would be on a real network.
 * Changing holds from several threads at once is not supported.
 */
public final class TcpProxy implements AutoCloseable {

	/** MQTT control packet type of PUBLISH. */
	public static final int PUBLISH = 3;

	/** MQTT control packet type of PUBACK. */
	public static final int PUBACK = 4;

	/** MQTT control packet type of PUBREC. */
	public static final int PUBREC = 5;

	/** MQTT control packet type of PUBREL. */
	public static final int PUBREL = 6;

	/** MQTT control packet type of PUBCOMP. */
	public static final int PUBCOMP = 7;

	private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

	private final InetSocketAddress target;

	/**
	 * Whether the traffic is MQTT, read packet by packet so that packets can be held back
	 * by type.
	 */
	private final boolean mqtt;

	private final ServerSocket serverSocket;

	private final Thread acceptor;

	private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

	private final Set<Integer> heldBrokerToClientTypes = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connectionCount = new AtomicInteger();

	private final AtomicInteger refusedCount = new AtomicInteger();

	private volatile boolean cut;

	private volatile boolean holdClientToBroker;

	private volatile boolean holdBrokerToClient;

	private volatile boolean closed;

	/**
	 * Starts a proxy on a free port of 127.0.0.1 that forwards every connection to the
	 * target.
	 * @param targetHost the broker's host
	 * @param targetPort the broker's port
	 */
	public TcpProxy(String targetHost, int targetPort) {
		this(targetHost, targetPort, true);
	}

	private TcpProxy(String targetHost, int targetPort, boolean mqtt) {
		this.mqtt = mqtt;
		this.target = new InetSocketAddress(targetHost, targetPort);
		try {
			this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("The proxy cannot listen on 127.0.0.1", ex);
		}
		this.acceptor = daemon("tcp-proxy-" + port() + "-accept", this::acceptConnections);
		this.acceptor.start();
	}

	/**
	 * Starts a proxy for a protocol other than MQTT, such as a database's: it forwards
	 * bytes as they come, and can cut connections and hold back all traffic in one
	 * direction, but not hold back packets by type.
	 * @param targetHost the server's host
	 * @param targetPort the server's port
	 * @return the proxy
	 */
	public static TcpProxy forAnyProtocol(String targetHost, int targetPort) {
		return new TcpProxy(targetHost, targetPort, false);
	}

	/**
	 * The port clients connect to.
	 * @return the port on 127.0.0.1
	 */
	public int port() {
		return this.serverSocket.getLocalPort();
	}

	/**
	 * The URL a Paho client connects through the proxy with.
	 * @return {@code tcp://127.0.0.1:port}
	 */
	public String url() {
		return "tcp://127.0.0.1:" + port();
	}

	/**
	 * How many connections the proxy has put through to the broker, not counting those
	 * refused while cut.
	 * @return the count since the proxy started
	 */
	public int connectionCount() {
		return this.connectionCount.get();
	}

	/**
	 * How many connections the proxy refused while it was cut, which shows that a client
	 * tried to reconnect.
	 * @return the count since the proxy started
	 */
	public int refusedConnectionCount() {
		return this.refusedCount.get();
	}

	/**
	 * Resets every open connection, as a network failure would, and refuses new
	 * connections until {@link #resume()}. The client gets a TCP reset; the broker sees
	 * an orderly end of stream, which it handles as the same unannounced loss of its
	 * client, without logging a reset's stack trace.
	 */
	public void cut() {
		this.cut = true;
		for (Connection connection : this.connections) {
			connection.close(true, false);
		}
	}

	/** Lets new connections through again after {@link #cut()}. */
	public void resume() {
		this.cut = false;
	}

	/**
	 * Holds back, or releases, everything the clients send: bytes are buffered while held
	 * and forwarded in order on release.
	 * @param hold whether to hold
	 */
	public void holdClientToBroker(boolean hold) {
		this.holdClientToBroker = hold;
		forEachConnection((connection) -> connection.toBroker.flushReleased());
	}

	/**
	 * Holds back, or releases, everything the broker sends: bytes are buffered while held
	 * and forwarded in order on release.
	 * @param hold whether to hold
	 */
	public void holdBrokerToClient(boolean hold) {
		this.holdBrokerToClient = hold;
		forEachConnection((connection) -> connection.toClient.flushReleased());
	}

	/**
	 * Holds back the MQTT control packets of one type that the broker sends, while all
	 * other packets flow, until {@link #releaseHeldPackets()} or
	 * {@link #discardHeldPackets()}.
	 * @param mqttPacketType the type from the fixed header, such as {@link #PUBREL}
	 */
	public void holdBrokerToClientPacketsOfType(int mqttPacketType) {
		requireMqtt();
		int type = checkedType(mqttPacketType);
		this.heldBrokerToClientTypes.add(type);
		forEachConnection((connection) -> connection.toClient.holdType(type));
	}

	/**
	 * How many packets held back by type are waiting on open connections, in both
	 * directions.
	 * @return the count
	 */
	public int heldPacketCount() {
		int count = 0;
		for (Connection connection : this.connections) {
			count += connection.toBroker.heldPacketCount() + connection.toClient.heldPacketCount();
		}
		return count;
	}

	/**
	 * Stops holding back packets by type and forwards those held, each on the connection
	 * it came from, in order.
	 */
	public void releaseHeldPackets() {
		this.heldBrokerToClientTypes.clear();
		forEachConnection((connection) -> {
			connection.toBroker.releaseHeldPackets();
			connection.toClient.releaseHeldPackets();
		});
	}

	/**
	 * Stops holding back packets by type and drops those held, as if the network had lost
	 * them.
	 */
	public void discardHeldPackets() {
		this.heldBrokerToClientTypes.clear();
		forEachConnection((connection) -> {
			connection.toBroker.discardHeldPackets();
			connection.toClient.discardHeldPackets();
		});
	}

	/** Stops listening and closes every connection. */
	@Override
	public void close() {
		this.closed = true;
		try {
			this.serverSocket.close();
		}
		catch (IOException ex) {
			// Nothing is left to release if closing the listening socket fails
		}
		for (Connection connection : this.connections) {
			connection.close(false, false);
		}
		try {
			this.acceptor.join(5_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void acceptConnections() {
		while (!this.closed) {
			Socket client;
			try {
				client = this.serverSocket.accept();
			}
			catch (IOException ex) {
				// The listening socket was closed
				return;
			}
			if (this.cut) {
				this.refusedCount.incrementAndGet();
				reset(client);
				continue;
			}
			Socket broker = new Socket();
			try {
				client.setTcpNoDelay(true);
				broker.setTcpNoDelay(true);
				broker.connect(this.target, CONNECT_TIMEOUT_MILLIS);
			}
			catch (IOException ex) {
				// The broker is not there: the client sees its connection fail as it
				// would without the proxy
				reset(broker);
				reset(client);
				continue;
			}
			Connection connection;
			try {
				connection = new Connection(client, broker);
			}
			catch (IOException ex) {
				reset(broker);
				reset(client);
				continue;
			}
			this.connections.add(connection);
			// Copied after registering: a hold changed meanwhile is either in the copy or
			// applied to this connection
			connection.toClient.holdTypes(this.heldBrokerToClientTypes);
			// cut() may have run between the check above and the registration, and then
			// missed this connection
			if (this.cut || this.closed) {
				connection.close(true, false);
				continue;
			}
			this.connectionCount.incrementAndGet();
			connection.start();
		}
	}

	private void forEachConnection(IoAction action) {
		for (Connection connection : this.connections) {
			try {
				action.run(connection);
			}
			catch (IOException ex) {
				// The peer is gone
				connection.close(true, true);
			}
		}
	}

	private void requireMqtt() {
		if (!this.mqtt) {
			throw new IllegalStateException(
					"This proxy forwards bytes, not MQTT packets: it cannot hold packets by type");
		}
	}

	private static int checkedType(int mqttPacketType) {
		if (mqttPacketType < 1 || mqttPacketType > 15) {
			throw new IllegalArgumentException("MQTT control packet types are 1 to 15, not " + mqttPacketType);
		}
		return mqttPacketType;
	}

	private static void reset(Socket socket) {
		try {
			// Linger 0 makes close() send RST, so the peer fails at once instead of
			// seeing an orderly end of stream
			socket.setSoLinger(true, 0);
		}
		catch (SocketException ex) {
			// An unconnected or already closed socket: close() alone does the job
		}
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed
		}
	}

	private static void end(Socket socket, boolean reset) {
		if (reset) {
			reset(socket);
		}
		else {
			closeQuietly(socket);
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ex) {
			// Already closed
		}
	}

	private static Thread daemon(String name, Runnable task) {
		Thread thread = new Thread(task, name);
		thread.setDaemon(true);
		return thread;
	}

	/**
	 * Reads one whole MQTT control packet: the fixed header's first byte, the
	 * variable-length remaining length and that many bytes.
	 * @return the packet, or {@code null} at the end of the stream
	 */
	private static byte[] readPacket(InputStream in) throws IOException {
		int first = in.read();
		if (first < 0) {
			return null;
		}
		ByteArrayOutputStream header = new ByteArrayOutputStream(5);
		header.write(first);
		int remaining = 0;
		int multiplier = 1;
		for (int i = 0;; i++) {
			int encoded = in.read();
			if (encoded < 0) {
				throw new EOFException("The stream ended inside an MQTT fixed header");
			}
			if (i == 4) {
				throw new IOException("An MQTT remaining length has at most 4 bytes");
			}
			header.write(encoded);
			remaining += (encoded & 0x7F) * multiplier;
			multiplier *= 128;
			if ((encoded & 0x80) == 0) {
				break;
			}
		}
		byte[] packet = new byte[header.size() + remaining];
		System.arraycopy(header.toByteArray(), 0, packet, 0, header.size());
		int offset = header.size();
		while (offset < packet.length) {
			int read = in.read(packet, offset, packet.length - offset);
			if (read < 0) {
				throw new EOFException("The stream ended inside an MQTT packet");
			}
			offset += read;
		}
		return packet;
	}

	private static byte[] readChunk(InputStream in) throws IOException {
		byte[] buffer = new byte[8192];
		int read = in.read(buffer);
		return (read < 0) ? null : Arrays.copyOf(buffer, read);
	}

	private static int packetType(byte[] packet) {
		return (packet[0] >> 4) & 0x0F;
	}

	@FunctionalInterface
	private interface IoAction {

		void run(Connection connection) throws IOException;

	}

	/** One client's connection through the proxy, with a pump for each direction. */
	private final class Connection {

		private final Socket client;

		private final Socket broker;

		private final Pipe toBroker;

		private final Pipe toClient;

		private final AtomicInteger closes = new AtomicInteger();

		Connection(Socket client, Socket broker) throws IOException {
			this.client = client;
			this.broker = broker;
			this.toBroker = new Pipe(client.getInputStream(), broker.getOutputStream(), true);
			this.toClient = new Pipe(broker.getInputStream(), client.getOutputStream(), false);
		}

		void start() {
			String prefix = "tcp-proxy-" + port() + "-" + this.client.getPort();
			daemon(prefix + "-to-broker", () -> pump(this.toBroker)).start();
			daemon(prefix + "-to-client", () -> pump(this.toClient)).start();
		}

		private void pump(Pipe pipe) {
			try {
				byte[] packet;
				while ((packet = TcpProxy.this.mqtt ? readPacket(pipe.in) : readChunk(pipe.in)) != null) {
					pipe.forward(packet);
				}
				// An orderly end on one side ends the other too; MQTT never half-closes
				close(false, false);
			}
			catch (IOException ex) {
				// A reset, or a socket closed by cut(), passes on as a reset
				close(true, true);
			}
		}

		void close(boolean resetClient, boolean resetBroker) {
			if (this.closes.getAndIncrement() > 0) {
				return;
			}
			TcpProxy.this.connections.remove(this);
			end(this.client, resetClient);
			end(this.broker, resetBroker);
		}

	}

	/**
	 * One direction of a connection. Every decision to forward or buffer is taken under
	 * its lock, so releasing a hold never lets newer bytes overtake the ones that were
	 * buffered.
	 */
	private final class Pipe {

		private final InputStream in;

		private final OutputStream out;

		private final boolean clientToBroker;

		private final Set<Integer> heldTypes = new HashSet<>();

		private final ByteArrayOutputStream heldBytes = new ByteArrayOutputStream();

		private final List<byte[]> heldPackets = new ArrayList<>();

		Pipe(InputStream in, OutputStream out, boolean clientToBroker) {
			this.in = in;
			this.out = out;
			this.clientToBroker = clientToBroker;
		}

		synchronized void forward(byte[] packet) throws IOException {
			flushReleasedLocked();
			if (this.heldTypes.contains(packetType(packet))) {
				this.heldPackets.add(packet);
				return;
			}
			sendLocked(packet);
		}

		synchronized void holdType(int type) {
			this.heldTypes.add(type);
		}

		synchronized void holdTypes(Set<Integer> types) {
			this.heldTypes.addAll(types);
		}

		synchronized void releaseHeldPackets() throws IOException {
			this.heldTypes.clear();
			flushReleasedLocked();
		}

		synchronized void discardHeldPackets() {
			this.heldTypes.clear();
			this.heldPackets.clear();
		}

		synchronized void flushReleased() throws IOException {
			flushReleasedLocked();
		}

		synchronized int heldPacketCount() {
			return this.heldPackets.size();
		}

		private void flushReleasedLocked() throws IOException {
			// Bytes buffered by a direction hold are older than any packet released below
			if (!directionHeld() && this.heldBytes.size() > 0) {
				this.heldBytes.writeTo(this.out);
				this.heldBytes.reset();
				this.out.flush();
			}
			for (Iterator<byte[]> packets = this.heldPackets.iterator(); packets.hasNext();) {
				byte[] packet = packets.next();
				if (!this.heldTypes.contains(packetType(packet))) {
					packets.remove();
					sendLocked(packet);
				}
			}
		}

		private void sendLocked(byte[] packet) throws IOException {
			if (directionHeld()) {
				this.heldBytes.write(packet);
				return;
			}
			this.out.write(packet);
			this.out.flush();
		}

		private boolean directionHeld() {
			return this.clientToBroker ? TcpProxy.this.holdClientToBroker : TcpProxy.this.holdBrokerToClient;
		}

	}

}
