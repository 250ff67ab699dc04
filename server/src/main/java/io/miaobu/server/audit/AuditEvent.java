package io.miaobu.server.audit;

import java.time.Instant;

/**
 * One line of the audit log.
 *
 * @param actorId       the user who acted; {@code null} for anonymous callers (a failed sign-in) and the server itself
 * @param actorName     the user's name when it happened (kept after the user is deleted)
 * @param action        what happened, e.g. {@code project.deleted}; see {@link AuditAction}
 * @param target        what it happened to, e.g. {@code project:web (12)}
 * @param clientAddress where the request came from
 * @param detail        anything else worth knowing; never a secret
 */
public record AuditEvent(long id, Instant occurredAt, Long actorId, String actorName, String action, String target,
                         String clientAddress, String detail) {
}
