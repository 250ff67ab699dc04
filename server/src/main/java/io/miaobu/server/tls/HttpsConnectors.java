package io.miaobu.server.tls;

import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.X509ExtendedKeyManager;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Builds the HTTPS connector: TLS 1.2 and 1.3, HTTP/1.1, the certificate of each handshake chosen by a key manager
 * (normally {@link SniKeyManager}) rather than from a Jetty keystore.
 */
public final class HttpsConnectors {

    public static final String NAME = "https";

    private HttpsConnectors() {
    }

    /**
     * @param http      the plain connector's configuration; its customizers (the trusted proxies') run here too, then
     *                  Jetty's {@link SecureRequestCustomizer}
     * @param keys      chooses the certificate of each handshake
     * @param selectors selector threads, as for the plain connector
     * @return a connector named {@value #NAME}, not yet added to {@code server}; host and port still to set
     */
    public static ServerConnector create(Server server, HttpConfiguration http, X509ExtendedKeyManager keys,
                                         int selectors) {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {keys}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
        var tls = new SslContextFactory.Server();
        tls.setSslContext(context);
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        // the key manager answers for names without a certificate (the default one); Jetty's keystore has none
        tls.setSniRequired(false);

        var https = new HttpConfiguration(http);
        var secure = new SecureRequestCustomizer();
        // Jetty's check compares the SNI name with the certificates of its own keystore, which is empty here
        secure.setSniHostCheck(false);
        secure.setSniRequired(false);
        https.addCustomizer(secure);

        var connector = new ServerConnector(server, -1, selectors,
                new SslConnectionFactory(tls, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(https));
        connector.setName(NAME);
        return connector;
    }
}
