package io.miaobu.server.domain;

/**
 * Where a custom domain stands; only {@link #ACTIVE} ones are served (by this server, or by the CDN of the project's
 * deploy target).
 */
public enum DomainStatus {
    /** The TXT record {@code _miaobu-challenge.<host>} with the domain's token has not been seen yet. */
    PENDING_OWNERSHIP,
    /** Ownership is proven; no CNAME or A/AAAA record leads to this server (or to the CDN) yet. */
    PENDING_DNS,
    /** Owned and routed here (or to the CDN that serves it): served. */
    ACTIVE,
    /** A record points elsewhere, DNS could not be asked, or the CDN refused the domain; the reason says which. */
    ERROR
}
