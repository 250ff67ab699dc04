package io.miaobu.server.auth;

import java.time.Instant;

/** One sign-in, as its owner sees it on the account page. The id is what ends it; no token is shown. */
public record SessionInfo(String id, long userId, Instant createdAt, Instant lastUsedAt, Instant expiresAt,
                          Instant revokedAt, String revokedReason, String clientAddress, String userAgent) {

    public boolean isActiveAt(Instant now) {
        return revokedAt == null && expiresAt.isAfter(now);
    }
}
