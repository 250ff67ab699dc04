package io.miaobu.server.domain;

import java.time.Instant;

/**
 * A project's custom domain.
 *
 * @param host              lower case, ASCII (IDNs in punycode), no trailing dot
 * @param token             what the TXT record {@code _miaobu-challenge.<host>} must hold
 * @param reason            why the status is what it is, in words; null when active
 * @param redirectToPrimary whether visitors are sent to the project's primary domain (ignored for the primary)
 * @param cdn               for a domain a CDN serves (its project deploys to a target with a CDN), where it stands
 *                          there; null for a domain this server serves
 */
public record CustomDomain(long id, long projectId, String host, String token, DomainStatus status, String reason,
                           boolean primary, boolean redirectToPrimary, Instant createdAt, Instant checkedAt,
                           Instant ownerVerifiedAt, CdnBinding cdn) {

    public static final String CHALLENGE_LABEL = "_miaobu-challenge";

    /** The name of the TXT record that proves ownership. */
    public String challengeName() {
        return CHALLENGE_LABEL + "." + host;
    }

    /** Whether a CDN serves this domain (and this server's site server does not). */
    public boolean onCdn() {
        return cdn != null;
    }
}
