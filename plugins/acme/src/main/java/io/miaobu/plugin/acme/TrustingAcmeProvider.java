package io.miaobu.plugin.acme;

import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * Any {@code http(s)://} directory, with TLS trusting the JDK's roots plus extra ones (Pebble's, a company CA's).
 * acme4j 4 builds its {@link HttpClient} through {@link #createHttpClient}; this adds the SSL context to the builder
 * acme4j's own default uses.
 */
final class TrustingAcmeProvider extends GenericAcmeProvider {

    private final SSLContext sslContext;

    TrustingAcmeProvider(List<X509Certificate> extraRoots) {
        this.sslContext = sslContext(extraRoots);
    }

    @Override
    public HttpClient createHttpClient(NetworkSettings settings) {
        HttpClient.Builder builder = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(settings.getTimeout())
                .proxy(settings.getProxySelector())
                .sslContext(sslContext);
        if (settings.getAuthenticator() != null) {
            builder.authenticator(settings.getAuthenticator());
        }
        return builder.build();
    }

    private static SSLContext sslContext(List<X509Certificate> extraRoots) {
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int alias = 0;
            TrustManagerFactory jdk = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jdk.init((KeyStore) null);
            for (var manager : jdk.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    for (X509Certificate root : x509.getAcceptedIssuers()) {
                        trusted.setCertificateEntry("jdk-" + alias++, root);
                    }
                }
            }
            for (X509Certificate root : extraRoots) {
                trusted.setCertificateEntry("extra-" + alias++, root);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot set up TLS trust for the ACME server", e);
        }
    }
}
