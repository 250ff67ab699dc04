package io.miaobu.server.domain;

import io.miaobu.api.cert.Http01Solver;
import io.miaobu.server.site.AcmeChallengeHandler;
import io.miaobu.server.site.ChallengeResponses;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The core's {@link Http01Solver}: what the certificate code hands to {@code CertificateIssuer}s. A published token is
 * stored in the database, so every node of a cluster answers it at {@code /.well-known/acme-challenge/<token>} (through
 * {@link AcmeChallengeHandler}); this node also keeps the ones it published in memory. Thread-safe.
 */
public final class Http01Challenges implements Http01Solver, ChallengeResponses {

    private final Jdbi jdbi;
    private final Clock clock;
    private final Map<String, String> publishedHere = new ConcurrentHashMap<>();

    public Http01Challenges(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** @throws IllegalArgumentException for a token that is not base64url or an empty key authorization */
    @Override
    public void publish(String domain, String token, String keyAuthorization) {
        if (token == null || !AcmeChallengeHandler.isToken(token)) {
            throw new IllegalArgumentException("An ACME token is base64url, not " + token);
        }
        if (keyAuthorization == null || keyAuthorization.isBlank() || keyAuthorization.length() > 1000) {
            throw new IllegalArgumentException("No key authorization for token " + token);
        }
        jdbi.useTransaction(handle -> {
            handle.createUpdate("DELETE FROM acme_http01_challenges WHERE token = :token").bind("token", token)
                    .execute();
            handle.createUpdate("""
                            INSERT INTO acme_http01_challenges (token, domain, key_authorization, published_at)
                            VALUES (:token, :domain, :keyAuthorization, :now)""")
                    .bind("token", token).bind("domain", domain == null ? "" : domain)
                    .bind("keyAuthorization", keyAuthorization).bind("now", clock.instant()).execute();
        });
        publishedHere.put(token, keyAuthorization);
    }

    @Override
    public void remove(String domain, String token) {
        if (token == null) {
            return;
        }
        publishedHere.remove(token);
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM acme_http01_challenges WHERE token = :token")
                .bind("token", token).execute());
    }

    @Override
    public Optional<String> keyAuthorization(String token) {
        String known = publishedHere.get(token);
        if (known != null) {
            return Optional.of(known);
        }
        // published by another node: not cached here, since only that node learns when it is removed
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT key_authorization FROM acme_http01_challenges WHERE token = :token")
                .bind("token", token).mapTo(String.class).findOne());
    }
}
