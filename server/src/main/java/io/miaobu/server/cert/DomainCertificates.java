package io.miaobu.server.cert;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code domain_certificates} table: one row per custom domain that asked for a certificate. Every change of a
 * row is one statement, so a node that dies half-way leaves a row that another can pick up once the lease ends.
 */
public final class DomainCertificates {

    /** What {@code SecretRotation} re-seals when keys rotate. */
    public static final String SECRET_PURPOSE = "certificate-key";

    private static final String COLUMNS = """
            c.id, c.domain_id, d.project_id, c.host, c.source, c.issuer_id, c.status, c.certificate_pem, c.names,
            c.issued_by, c.serial, c.not_before, c.not_after, c.issued_at, c.renew_after, c.attempts,
            c.last_attempt_at, c.last_error, c.warned_days, c.cdn_installed_at, c.cdn_error, c.updated_at""";
    private static final String FROM = " FROM domain_certificates c JOIN custom_domains d ON d.id = c.domain_id";

    private final Jdbi jdbi;

    public DomainCertificates(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<DomainCertificate> forDomain(long domainId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.domain_id = :id")
                .bind("id", domainId).map(DomainCertificates::row).findOne());
    }

    public List<DomainCertificate> forProject(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + FROM
                        + " WHERE d.project_id = :projectId ORDER BY c.host")
                .bind("projectId", projectId).map(DomainCertificates::row).list());
    }

    /** Every certificate, soonest expiry first (those without one first of all). */
    public List<DomainCertificate> all() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + FROM
                        + " ORDER BY CASE WHEN c.not_after IS NULL THEN 0 ELSE 1 END, c.not_after, c.host")
                .map(DomainCertificates::row).list());
    }

    /**
     * Asks for a certificate from {@code issuerId} as soon as the scheduler runs: makes the row (PENDING) or, for
     * one that exists, moves its next attempt to now and makes it an issued (not uploaded) one again.
     */
    public DomainCertificate request(long domainId, String host, String issuerId, Instant now) {
        jdbi.useTransaction(handle -> {
            int updated = handle.createUpdate("""
                            UPDATE domain_certificates SET source = 'ISSUED', issuer_id = :issuer, renew_after = :now,
                                updated_at = :now
                            WHERE domain_id = :domainId""")
                    .bind("issuer", issuerId).bind("now", now).bind("domainId", domainId).execute();
            if (updated == 0) {
                handle.createUpdate("""
                                INSERT INTO domain_certificates (domain_id, host, source, issuer_id, status,
                                    renew_after, attempts, updated_at)
                                VALUES (:domainId, :host, 'ISSUED', :issuer, 'PENDING', :now, 0, :now)""")
                        .bind("domainId", domainId).bind("host", host).bind("issuer", issuerId).bind("now", now)
                        .execute();
            }
        });
        return forDomain(domainId).orElseThrow();
    }

    /** Issued certificates whose next attempt is due and that no node is working on, most urgent first. */
    public List<DomainCertificate> due(Instant now, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + FROM + """
                         WHERE c.source = 'ISSUED' AND c.renew_after <= :now
                            AND (c.lease_until IS NULL OR c.lease_until < :now)
                        ORDER BY c.renew_after""")
                .bind("now", now).setMaxRows(limit).map(DomainCertificates::row).list());
    }

    /**
     * Takes the row for one attempt. Only one holder at a time, across nodes: the update succeeds only when nobody
     * holds a lease that is still running.
     *
     * @param holder unique per attempt (node and attempt id), so two threads of one node exclude each other too
     */
    public boolean claim(long id, String holder, Instant now, Duration lease) {
        return jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE domain_certificates SET lease_owner = :holder, lease_until = :until
                        WHERE id = :id AND (lease_until IS NULL OR lease_until < :now)""")
                .bind("holder", holder).bind("until", now.plus(lease)).bind("now", now).bind("id", id)
                .execute()) == 1;
    }

    public void release(long id, String holder) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE domain_certificates SET lease_owner = NULL, lease_until = NULL
                        WHERE id = :id AND lease_owner = :holder""")
                .bind("id", id).bind("holder", holder).execute());
    }

    /** Stores a new certificate (issued or uploaded) with its sealed key; clears failures and warnings. */
    public void store(long id, CertificateSource source, String issuerId, ParsedCertificate certificate,
                      String chainPem, String sealedKey, Instant now, Instant renewAfter) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE domain_certificates SET source = :source, issuer_id = :issuer, status = 'ISSUED',
                            certificate_pem = :pem, sealed_key = :key, names = :names, issued_by = :issuedBy,
                            serial = :serial, not_before = :notBefore, not_after = :notAfter, issued_at = :now,
                            renew_after = :renewAfter, attempts = 0, last_attempt_at = :now, last_error = NULL,
                            warned_days = NULL, cdn_installed_at = NULL, cdn_error = NULL, updated_at = :now
                        WHERE id = :id""")
                .bind("source", source.name()).bind("issuer", issuerId).bind("pem", chainPem).bind("key", sealedKey)
                .bind("names", String.join(",", certificate.dnsNames())).bind("issuedBy", clip(certificate.issuer(), 500))
                .bind("serial", clip(certificate.serial(), 100)).bind("notBefore", certificate.notBefore())
                .bind("notAfter", certificate.notAfter()).bind("now", now).bind("renewAfter", renewAfter)
                .bind("id", id).execute());
    }

    /** Records a failed attempt and when to try again. */
    public void failed(long id, String error, Instant now, Instant retryAt) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE domain_certificates SET attempts = attempts + 1, last_attempt_at = :now,
                            last_error = :error, renew_after = :retryAt, updated_at = :now,
                            status = CASE WHEN certificate_pem IS NULL THEN 'FAILED' ELSE status END
                        WHERE id = :id""")
                .bind("now", now).bind("error", clip(error, 2000)).bind("retryAt", retryAt).bind("id", id)
                .execute());
    }

    public void warned(long id, int days) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE domain_certificates SET warned_days = :days WHERE id = :id")
                .bind("days", days).bind("id", id).execute());
    }

    /** Records installing the certificate on the CDN: when it worked, or the CDN's error. */
    public void cdnInstalled(long id, Instant at, String error) {
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE domain_certificates SET cdn_installed_at = :at, cdn_error = :error WHERE id = :id""")
                .bind("at", error == null ? at : null).bind("error", clip(error, 2000)).bind("id", id).execute());
    }

    public Optional<String> sealedKey(long id) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT sealed_key FROM domain_certificates WHERE id = :id")
                .bind("id", id).mapTo(String.class).findOne());
    }

    public void delete(long domainId) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM domain_certificates WHERE domain_id = :id")
                .bind("id", domainId).execute());
    }

    private static String clip(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length - 1) + "…";
    }

    private static DomainCertificate row(ResultSet rs, StatementContext ctx) throws SQLException {
        String names = rs.getString("names");
        int warned = rs.getInt("warned_days");
        Integer warnedDays = rs.wasNull() ? null : warned;
        return new DomainCertificate(rs.getLong("id"), rs.getLong("domain_id"), rs.getLong("project_id"),
                rs.getString("host"), CertificateSource.valueOf(rs.getString("source")), rs.getString("issuer_id"),
                CertificateStatus.valueOf(rs.getString("status")), rs.getString("certificate_pem"),
                names == null || names.isEmpty() ? List.of() : Arrays.asList(names.split(",")),
                rs.getString("issued_by"), rs.getString("serial"), instant(rs, "not_before"),
                instant(rs, "not_after"), instant(rs, "issued_at"), instant(rs, "renew_after"), rs.getInt("attempts"),
                instant(rs, "last_attempt_at"), rs.getString("last_error"), warnedDays,
                instant(rs, "cdn_installed_at"), rs.getString("cdn_error"), instant(rs, "updated_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
