package io.miaobu.server.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.StandardConstants;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Chooses the server certificate of each TLS handshake by the name the client asked for (SNI): the host's own
 * certificate in {@link ServedCertificates}, else a wildcard one label up, else the default certificate. The choice
 * is made anew for every handshake, so a certificate put into the registry is presented from the next one on.
 *
 * <p>JSSE asks once per key type the client can verify (TLS 1.3: in the order of its signature schemes; TLS 1.2: by
 * cipher suite), so a certificate is offered only for its own key type: a host with an RSA certificate answers the
 * {@code EC} question with "none" and the {@code RSA} one with its certificate, instead of the default standing in.
 * The default is used only for handshakes without SNI or for names with no valid certificate. Called on the
 * connector's threads during handshakes; never blocks.
 */
public final class SniKeyManager extends X509ExtendedKeyManager {

    static final String DEFAULT_ALIAS = "default";

    private final ServedCertificates certificates;
    private final ServedCertificate fallback;

    /**
     * @param certificates the certificates by host
     * @param fallback     presented when the client names no host, or one without a certificate: the server's own
     */
    public SniKeyManager(ServedCertificates certificates, CertifiedKey fallback) {
        this.certificates = certificates;
        this.fallback = new ServedCertificate(DEFAULT_ALIAS, fallback);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return choose(keyType, socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
    }

    private String choose(String keyType, SSLSession handshake) {
        String host = requestedHost(handshake);
        ServedCertificate chosen = host == null ? null : certificates.find(host);
        if (chosen == null) {
            chosen = fallback;
        }
        return chosen.keyType().equals(keyType) ? chosen.alias() : null;
    }

    /** The SNI host name of a handshake, lower case; null without one. */
    static String requestedHost(SSLSession handshake) {
        if (!(handshake instanceof ExtendedSSLSession extended)) {
            return null;
        }
        for (SNIServerName name : extended.getRequestedServerNames()) {
            if (name.getType() == StandardConstants.SNI_HOST_NAME) {
                String host = name instanceof SNIHostName hostName ? hostName.getAsciiName()
                        : new SNIHostName(name.getEncoded()).getAsciiName();
                return host.toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        ServedCertificate served = byAlias(alias);
        return served == null ? null : served.chain();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        ServedCertificate served = byAlias(alias);
        return served == null ? null : served.key();
    }

    private ServedCertificate byAlias(String alias) {
        if (alias == null) {
            return null;
        }
        return DEFAULT_ALIAS.equals(alias) ? fallback : certificates.byAlias(alias);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return fallback.keyType().equals(keyType) ? new String[] {DEFAULT_ALIAS} : null;
    }

    /** A server only: it never authenticates as a client. */
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
