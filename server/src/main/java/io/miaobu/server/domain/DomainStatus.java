package io.miaobu.server.domain;

/** Where a custom domain stands; only {@link #ACTIVE} ones are served. */
public enum DomainStatus {
    /** The TXT record {@code _miaobu-challenge.<host>} with the domain's token has not been seen yet. */
    PENDING_OWNERSHIP,
    /** Ownership is proven; no CNAME or A/AAAA record leads to this server yet. */
    PENDING_DNS,
    /** Owned and routed here: served. */
    ACTIVE,
    /** A record points elsewhere, or DNS could not be asked; the reason says which. */
    ERROR
}
