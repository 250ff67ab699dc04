package io.miaobu.server.boot;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The security settings (see docs/admin/security.md).
 *
 * @param accessTokenTtl           how long an access token lives ({@code session.access.ttl}, seconds, default 900)
 * @param refreshTokenTtl          how long a refresh token lives unused ({@code session.refresh.ttl}, default 7 days)
 * @param lockoutThreshold         failed sign-ins in a row that lock an account ({@code lockout.threshold}, 5)
 * @param firstLock                how long the first lock lasts ({@code lockout.first}, 60 s); each next one doubles
 * @param longestLock              the longest lock ({@code lockout.longest}, 1 day)
 * @param localRepositoriesAllowed whether admins may build repositories on this server's disk
 *                                 ({@code repositories.local.allowed}, true)
 * @param trustedProxies           addresses and CIDRs whose X-Forwarded-* headers are believed ({@code trusted.proxies})
 * @param corsOrigins              origins allowed to call the API from a browser ({@code cors.allowed.origins}; none)
 * @param rateLimits               every {@code ratelimit.*} setting, keys without the prefix
 * @param outboundAllowedNetworks  internal addresses and CIDRs outgoing requests (webhooks) may reach after all
 *                                 ({@code outbound.allowed.networks}; none: loopback and private networks are refused)
 */
public record SecurityConfig(
        Duration accessTokenTtl,
        Duration refreshTokenTtl,
        int lockoutThreshold,
        Duration firstLock,
        Duration longestLock,
        boolean localRepositoriesAllowed,
        String trustedProxies,
        List<String> corsOrigins,
        Map<String, String> rateLimits,
        String outboundAllowedNetworks) {

    public SecurityConfig {
        corsOrigins = List.copyOf(corsOrigins);
        rateLimits = Map.copyOf(rateLimits);
    }
}
