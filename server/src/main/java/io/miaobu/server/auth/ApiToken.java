package io.miaobu.server.auth;

import java.time.Instant;
import java.util.Set;

/**
 * A personal API token as its owner sees it after creation: never the secret, only the prefix that recognises it.
 *
 * @param prefix the token's first characters ({@code mbt_AbCd1234}), enough to tell tokens apart
 */
public record ApiToken(long id, long userId, String name, String prefix, Set<TokenScope> scopes, Instant createdAt,
                       Instant expiresAt, Instant lastUsedAt, Instant revokedAt) {

    public boolean isUsableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || expiresAt.isAfter(now));
    }
}
