package io.miaobu.plugin.acme.pebble;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A real Pebble (Let's Encrypt's test CA, Debian package {@code pebble}) and its {@code pebble-challtestsrv} as DNS
 * server, started in a directory of the caller's and stopped by {@link #close()}.
 *
 * <p>Pebble's TLS certificate is made here (self-signed, {@code localhost} and {@code 127.0.0.1});
 * {@link #tlsCertificatePem()} is what an ACME client must trust. Pebble validates HTTP-01 on
 * {@code <name>:httpPort}, where every name resolves to 127.0.0.1 (challtestsrv's default answer), so the caller
 * serves {@code /.well-known/acme-challenge/} on {@link #httpPort()}. DNS-01 TXT records are set with
 * {@link #setTxt}/{@link #clearTxt}. Authorization reuse and nonce rejection are turned off so runs are repeatable.
 */
public final class PebbleServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process pebble;
    private final Process challtestsrv;
    private final int acmePort;
    private final int managementPort;
    private final int challengeManagementPort;
    private final int httpPort;
    private final String tlsCertificatePem;
    private final HttpClient client;

    private PebbleServer(Path directory, int httpPort) throws IOException, InterruptedException {
        this.httpPort = httpPort;
        acmePort = freePort();
        managementPort = freePort();
        challengeManagementPort = freePort();
        int dnsPort = freePort();
        int tlsPort = freePort();
        this.tlsCertificatePem = writeTlsCertificate(directory);
        this.client = HttpClient.newBuilder().sslContext(trusting(tlsCertificatePem)).build();

        Path config = directory.resolve("pebble-config.json");
        Files.writeString(config, """
                {"pebble": {
                  "listenAddress": "127.0.0.1:%d",
                  "managementListenAddress": "127.0.0.1:%d",
                  "certificate": "%s",
                  "privateKey": "%s",
                  "httpPort": %d,
                  "tlsPort": %d,
                  "ocspResponderURL": "",
                  "externalAccountBindingRequired": false
                }}
                """.formatted(acmePort, managementPort, directory.resolve("cert.pem"), directory.resolve("key.pem"),
                httpPort, tlsPort));

        challtestsrv = start(directory, "challtestsrv", Map.of(), "pebble-challtestsrv",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + challengeManagementPort, "-defaultIPv4", "127.0.0.1",
                "-defaultIPv6", "");
        Process started = null;
        try {
            awaitListening(challtestsrv, challengeManagementPort);
            started = start(directory, "pebble",
                    Map.of("PEBBLE_VA_NOSLEEP", "1", "PEBBLE_WFE_NONCEREJECT", "0", "PEBBLE_AUTHZREUSE", "0"),
                    "pebble", "-config", config.toString(), "-dnsserver", "127.0.0.1:" + dnsPort);
            awaitListening(started, acmePort);
            awaitListening(started, managementPort);
        } catch (IOException | InterruptedException | RuntimeException e) {
            challtestsrv.destroy();
            if (started != null) {
                started.destroy();
            }
            throw e;
        }
        pebble = started;
    }

    /** Whether the {@code pebble} and {@code pebble-challtestsrv} binaries are installed ({@code .ci/run} does). */
    public static boolean installed() {
        return onPath("pebble") && onPath("pebble-challtestsrv");
    }

    /**
     * Starts both servers and waits until they listen.
     *
     * @param directory where the config, TLS key and the servers' output ({@code *.log}) go
     * @param httpPort  the port Pebble sends HTTP-01 validation requests to
     */
    public static PebbleServer start(Path directory, int httpPort) throws IOException, InterruptedException {
        return new PebbleServer(directory, httpPort);
    }

    /** The ACME directory URL. */
    public String directoryUrl() {
        return "https://localhost:" + acmePort + "/dir";
    }

    /** The port HTTP-01 answers must be served on. */
    public int httpPort() {
        return httpPort;
    }

    /** Pebble's own TLS certificate, PEM: trust it to talk to {@link #directoryUrl()}. */
    public String tlsCertificatePem() {
        return tlsCertificatePem;
    }

    /** The root that issued certificates chain to (a new one each time Pebble starts). */
    public X509Certificate issuingRoot() throws IOException, InterruptedException {
        String pem = get("https://localhost:" + managementPort + "/roots/0");
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            throw new IOException("Pebble's root does not parse", e);
        }
    }

    /** Adds a TXT record; {@code host} is the full name, e.g. {@code _acme-challenge.example.test}. */
    public void setTxt(String host, String value) throws IOException, InterruptedException {
        postChallenge("/set-txt", "{\"host\":\"" + fqdn(host) + "\",\"value\":\"" + value + "\"}");
    }

    /** Removes all TXT records of {@code host}. */
    public void clearTxt(String host) throws IOException, InterruptedException {
        postChallenge("/clear-txt", "{\"host\":\"" + fqdn(host) + "\"}");
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : new Process[] {pebble, challtestsrv}) {
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private void postChallenge(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + challengeManagementPort + path))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("challtestsrv " + path + ": " + response.statusCode() + " " + response.body());
        }
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(url + ": " + response.statusCode());
        }
        return response.body();
    }

    private static String fqdn(String host) {
        return host.endsWith(".") ? host : host + ".";
    }

    private static Process start(Path directory, String name, Map<String, String> env, String... command)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        return builder.start();
    }

    private static void awaitListening(Process process, int port) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException(process.info().command().orElse("process") + " exited with "
                            + process.exitValue() + " before listening on " + port + "; see its .log file");
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IOException("nothing listening on " + port + " after " + START_TIMEOUT);
                }
                Thread.onSpinWait();
                // a short bounded wait between connection attempts, not a sleep standing in for a condition
                process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static String writeTlsCertificate(Path directory) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair key = generator.generateKeyPair();
            X500Name name = new X500Name("CN=localhost");
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), name,
                    key.getPublic());
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
            String certificatePem = pem(certificate);
            Files.writeString(directory.resolve("cert.pem"), certificatePem);
            Files.writeString(directory.resolve("key.pem"), pem(key.getPrivate()));
            return certificatePem;
        } catch (java.security.GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IOException("cannot make Pebble's TLS certificate", e);
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(object instanceof java.security.PrivateKey key
                    ? new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()) : object);
        }
        return text.toString();
    }

    private static SSLContext trusting(String pem) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("pebble", CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }
}
