package io.miaobu.plugin.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real SMTP server on a free loopback port, speaking just enough of RFC 5321 for the cases GreenMail cannot play:
 * refusing some recipients (RCPT TO answered from {@link #reply}), a bad greeting, STARTTLS or TLS with a certificate
 * for localhost, and a server that accepts the connection and never says a word. It records what it was told.
 */
final class SmtpStandIn implements AutoCloseable {

    /** One message the stand-in accepted. */
    record Received(String ehloName, String mailFrom, List<String> recipients, String data, boolean overTls) {
    }

    private static final String KEYSTORE = "SmtpStandIn/localhost.p12";
    private static final char[] KEYSTORE_PASSWORD = "changeit".toCharArray();

    private final ServerSocket server;
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Semaphore accepted = new Semaphore(0);
    private volatile String greeting = "220 stand-in ESMTP ready";
    private volatile String mailFromReply = "250 2.1.0 OK";
    private volatile boolean silent;
    private volatile boolean offerStartTls;
    private volatile boolean implicitTls;

    SmtpStandIn() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::acceptLoop, "smtp-stand-in-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Answers {@code RCPT TO:<address>} with {@code reply} (e.g. "550 5.1.1 no such user"); others get 250. */
    SmtpStandIn reply(String address, String reply) {
        rcptReplies.put(address, reply);
        return this;
    }

    /** Answers {@code MAIL FROM} with {@code reply}. */
    SmtpStandIn mailFromReply(String reply) {
        mailFromReply = reply;
        return this;
    }

    SmtpStandIn greeting(String line) {
        greeting = line;
        return this;
    }

    /** Accepts connections and never answers. */
    SmtpStandIn silent() {
        silent = true;
        return this;
    }

    /** Offers STARTTLS and switches to TLS with the localhost certificate when asked. */
    SmtpStandIn offeringStartTls() {
        offerStartTls = true;
        return this;
    }

    /** Speaks TLS from the first byte, with the localhost certificate. */
    SmtpStandIn implicitTls() {
        implicitTls = true;
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits until a client has connected; false when none did in time. */
    boolean awaitConnection(long seconds) throws InterruptedException {
        return accepted.tryAcquire(seconds, TimeUnit.SECONDS);
    }

    /** Client-side TLS sockets that trust the stand-in's certificate (and nothing else). */
    static SSLSocketFactory trustingClientSockets() {
        try {
            KeyStore own = keyStore();
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            Certificate certificate = own.getCertificate("localhost");
            trusted.setCertificateEntry("stand-in", certificate);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                accepted.release();
                Thread conversation = new Thread(() -> converse(socket), "smtp-stand-in-connection");
                conversation.setDaemon(true);
                conversation.start();
            } catch (IOException e) {
                return;   // closed
            }
        }
    }

    private void converse(Socket plain) {
        try (plain) {
            if (silent) {
                // hold the connection open and say nothing until the client or the test closes it
                while (plain.getInputStream().read() != -1) {
                    continue;
                }
                return;
            }
            Socket socket = implicitTls ? serverTls(plain) : plain;
            boolean tls = implicitTls;
            var in = reader(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            send(out, greeting);
            if (!greeting.startsWith("220")) {
                return;
            }
            String ehloName = null;
            String mailFrom = null;
            var recipients = new ArrayList<String>();
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.toUpperCase(Locale.ROOT);
                if (command.startsWith("EHLO") || command.startsWith("HELO")) {
                    ehloName = line.substring(4).strip();
                    if (offerStartTls && !tls) {
                        send(out, "250-stand-in\r\n250-8BITMIME\r\n250 STARTTLS");
                    } else {
                        send(out, "250-stand-in\r\n250 8BITMIME");
                    }
                } else if (command.equals("STARTTLS") && offerStartTls && !tls) {
                    send(out, "220 2.0.0 go ahead");
                    socket = serverTls(socket);
                    tls = true;
                    in = reader(socket.getInputStream());
                    out = socket.getOutputStream();
                } else if (command.startsWith("MAIL FROM:")) {
                    mailFrom = address(line);
                    recipients.clear();
                    send(out, mailFromReply);
                } else if (command.startsWith("RCPT TO:")) {
                    String address = address(line);
                    String reply = rcptReplies.getOrDefault(address, "250 2.1.5 OK");
                    if (reply.startsWith("2")) {
                        recipients.add(address);
                    }
                    send(out, reply);
                } else if (command.equals("DATA")) {
                    send(out, "354 end with <CRLF>.<CRLF>");
                    var data = new StringBuilder();
                    String dataLine;
                    while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                        data.append(dataLine.startsWith("..") ? dataLine.substring(1) : dataLine).append("\r\n");
                    }
                    received.add(new Received(ehloName, mailFrom, List.copyOf(recipients), data.toString(), tls));
                    send(out, "250 2.0.0 OK queued as 1");
                } else if (command.equals("RSET")) {
                    recipients.clear();
                    send(out, "250 2.0.0 OK");
                } else if (command.equals("NOOP")) {
                    send(out, "250 2.0.0 OK");
                } else if (command.equals("QUIT")) {
                    send(out, "221 2.0.0 bye");
                    return;
                } else {
                    send(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to record
        }
    }

    private static Socket serverTls(Socket plain) throws IOException {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore(), KEYSTORE_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            SSLSocket tls = (SSLSocket) context.getSocketFactory()
                    .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
            tls.setUseClientMode(false);
            tls.startHandshake();
            return tls;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private static KeyStore keyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = SmtpStandIn.class.getResourceAsStream(KEYSTORE)) {
            store.load(in, KEYSTORE_PASSWORD);
        }
        return store;
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1));
    }

    private static void send(OutputStream out, String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** {@code RCPT TO:<a@b> NOTIFY=…} → {@code a@b} */
    private static String address(String line) {
        int open = line.indexOf('<');
        int close = line.indexOf('>', open);
        return open >= 0 && close > open ? line.substring(open + 1, close) : line.substring(line.indexOf(':') + 1);
    }
}
