package io.miaobu.server.tls;

import io.miaobu.server.site.HttpsHosts;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The certificates the HTTPS connector presents, by host: exact hosts ({@code www.example.com}) and wildcards
 * ({@code *.example.com}, which cover one label below {@code example.com} and nothing deeper). The certificate service
 * puts and removes them at any time from any thread; the next TLS handshake sees the change (no restart, no reload).
 *
 * <p>Reads happen on every handshake and on every plain-HTTP site request (to decide on the redirect to HTTPS), so
 * they are a map lookup or two, without locks. Writes are rare and serialised.
 */
public final class ServedCertificates implements HttpsHosts {

    private static final Logger LOG = LoggerFactory.getLogger(ServedCertificates.class);

    private final Clock clock;
    private final AtomicLong serials = new AtomicLong();
    private final Map<String, ServedCertificate> exact = new ConcurrentHashMap<>();
    /** Wildcard certificates by the domain they are one label below: {@code *.example.com} under {@code example.com}. */
    private final Map<String, ServedCertificate> wildcards = new ConcurrentHashMap<>();
    /**
     * The served certificates by alias, and for each host the one served before its latest replacement: a handshake
     * chooses an alias and then fetches its key and chain, and a replacement in between must not leave it without.
     */
    private final Map<String, ServedCertificate> byAlias = new ConcurrentHashMap<>();
    private final Map<String, String> replacedAlias = new ConcurrentHashMap<>();

    /** @param clock tells which certificates have expired */
    public ServedCertificates(Clock clock) {
        this.clock = clock;
    }

    /**
     * Serves {@code chain} for {@code host} from the next handshake on, replacing the host's certificate if it had one.
     *
     * @param host  a host name ({@code www.example.com}) or a wildcard ({@code *.example.com}); case and a trailing dot
     *              are ignored
     * @param key   the leaf's private key, EC or RSA
     * @param chain the leaf first, then its intermediates
     * @throws IllegalArgumentException when the host is not a host name or wildcard, the chain is empty, or the key is
     *                                  not the leaf's (nothing changes then)
     */
    public void put(String host, PrivateKey key, List<X509Certificate> chain) {
        put(host, new CertifiedKey(key, chain));
    }

    /** Like {@link #put(String, PrivateKey, List)}, with key and chain already together. */
    public synchronized void put(String host, CertifiedKey certificate) {
        String name = normalize(host);
        boolean wildcard = name.startsWith("*.");
        String key = wildcard ? name.substring(2) : name;
        if (key.isEmpty() || key.indexOf('*') >= 0 || key.startsWith(".") || key.contains("..")) {
            throw new IllegalArgumentException("not a host name or wildcard: '" + host + "'");
        }
        var served = new ServedCertificate(name + "#" + serials.incrementAndGet(), certificate);
        byAlias.put(served.alias(), served);
        ServedCertificate previous = (wildcard ? wildcards : exact).put(key, served);
        if (previous != null) {
            String older = replacedAlias.put(name, previous.alias());
            if (older != null) {
                byAlias.remove(older);
            }
        }
        LOG.debug("Serving {} for {}", certificate, name);
    }

    /**
     * Stops serving the certificate of {@code host} (a host name or wildcard as given to {@code put}).
     *
     * @return whether there was one
     */
    public synchronized boolean remove(String host) {
        String name = normalize(host);
        ServedCertificate removed = name.startsWith("*.") ? wildcards.remove(name.substring(2)) : exact.remove(name);
        String older = replacedAlias.remove(name);
        if (older != null) {
            byAlias.remove(older);
        }
        if (removed == null) {
            return false;
        }
        byAlias.remove(removed.alias());
        LOG.debug("No longer serving a certificate for {}", name);
        return true;
    }

    /**
     * Whether a handshake for {@code host} gets a certificate of its own that has not expired: one put for the host
     * itself, or a wildcard for the domain one label above it.
     */
    @Override
    public boolean covers(String host) {
        return find(host) != null;
    }

    /** The certificate a handshake for {@code host} presents: exact, else wildcard; null when none is valid. */
    ServedCertificate find(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String name = normalize(host);
        long now = clock.millis();
        ServedCertificate found = exact.get(name);
        if (found != null && !found.expiredAt(now)) {
            return found;
        }
        int dot = name.indexOf('.');
        if (dot <= 0 || dot == name.length() - 1) {
            return null;
        }
        found = wildcards.get(name.substring(dot + 1));
        return found == null || found.expiredAt(now) ? null : found;
    }

    /** The certificate a handshake chose by alias; a replaced one stays findable until its host is replaced again. */
    ServedCertificate byAlias(String alias) {
        return byAlias.get(alias);
    }

    private static String normalize(String host) {
        if (host == null) {
            throw new IllegalArgumentException("no host");
        }
        String name = host.strip();
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name.toLowerCase(Locale.ROOT);
    }
}
