package io.miaobu.api.testkit;

import io.miaobu.api.cert.Http01Solver;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link Http01Solver} for testing a {@link io.miaobu.api.cert.CertificateIssuer}: it keeps what would be served at
 * {@code /.well-known/acme-challenge/<token>} in memory instead of serving it.
 *
 * <pre>{@code
 * var http01 = new RecordingHttp01Solver();
 * var order = new CertificateOrder(List.of("example.com"), http01, null, settings, log);
 * // an ACME test server asks: what does http://example.com/.well-known/acme-challenge/<token> answer?
 * Optional<String> answer = http01.answer("example.com", token);
 * }</pre>
 *
 * <p>Like the host's, a token is answered on every domain the host serves, so it is kept by token; {@link #answer}
 * also checks the domain it was published for. Thread-safe.
 */
public final class RecordingHttp01Solver implements Http01Solver {

    /**
     * A published challenge.
     *
     * @param domain           the domain it was published for
     * @param keyAuthorization what is served
     */
    public record Challenge(String domain, String keyAuthorization) {
    }

    private final Map<String, Challenge> published = new ConcurrentHashMap<>();
    private final Map<String, Challenge> everPublished = new ConcurrentHashMap<>();

    /** An empty solver. */
    public RecordingHttp01Solver() {
    }

    @Override
    public void publish(String domain, String token, String keyAuthorization) {
        Challenge challenge = new Challenge(domain, keyAuthorization);
        published.put(token, challenge);
        everPublished.put(token, challenge);
    }

    /** Stops answering {@code token}; removing one that is not published does nothing, as on the host. */
    @Override
    public void remove(String domain, String token) {
        published.remove(token);
    }

    /** What {@code http://<domain>/.well-known/acme-challenge/<token>} answers now, if anything. */
    public Optional<String> answer(String domain, String token) {
        return Optional.ofNullable(published.get(token)).filter(c -> c.domain().equals(domain))
                .map(Challenge::keyAuthorization);
    }

    /** The challenges published and not removed, by token. */
    public Map<String, Challenge> published() {
        return Map.copyOf(published);
    }

    /** Every challenge ever published, removed or not, by token: to check that an issuer cleans up. */
    public Map<String, Challenge> everPublished() {
        return Map.copyOf(everPublished);
    }
}
