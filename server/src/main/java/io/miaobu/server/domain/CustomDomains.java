package io.miaobu.server.domain;

import io.miaobu.server.audit.Actor;
import io.miaobu.server.boot.DomainConfig;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Projects' custom domains: adding one (a host belongs to one project only), proving ownership and routing through
 * DNS, the primary domain and redirects to it, and keeping the site server's {@link DomainRoutes} in step.
 */
public final class CustomDomains {

    private static final Logger LOG = LoggerFactory.getLogger(CustomDomains.class);

    /** Told when a domain starts or stops being served; for notifications. */
    @FunctionalInterface
    public interface StatusListener {
        void changed(long projectId, String host, boolean active, String reason);
    }

    private static final String COLUMNS = "d.id, d.project_id, d.host, d.token, d.status, d.reason, d.is_primary,"
            + " d.redirect_to_primary, d.created_at, d.checked_at, d.owner_verified_at";

    private final Jdbi jdbi;
    private final DnsCheck dns;
    private final DomainRoutes routes;
    private final DomainNames names;
    private final String sitesDomain;
    private final String cnameTarget;
    private final AuditLog audit;
    private final StatusListener listener;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param reservedHosts hosts no project may take (the server's public host)
     */
    public CustomDomains(Jdbi jdbi, DnsCheck dns, DomainRoutes routes, String sitesDomain, Set<String> reservedHosts,
                         DomainConfig settings, AuditLog audit, StatusListener listener, Clock clock) {
        this.jdbi = jdbi;
        this.dns = dns;
        this.routes = routes;
        this.sitesDomain = sitesDomain.toLowerCase(Locale.ROOT);
        this.names = new DomainNames(this.sitesDomain, reservedHosts);
        this.cnameTarget = settings.cnameTarget().map(t -> t.toLowerCase(Locale.ROOT)).orElse(null);
        this.audit = audit;
        this.listener = listener;
        this.clock = clock;
    }

    /** The host a project's CNAME records must point to. */
    public String cnameTarget(String slug) {
        return cnameTarget != null ? cnameTarget : slug + "." + sitesDomain;
    }

    public List<CustomDomain> list(long projectId) {
        return jdbi.withHandle(handle -> list(handle, projectId));
    }

    /**
     * @throws UserFacingException 400 for a name we do not accept; 409 when the host is taken (by this project or,
     *                             without saying which, another)
     */
    public CustomDomain add(long projectId, String input, Actor actor) {
        String host = names.normalize(input);
        String token = HexFormat.of().formatHex(bytes(20));
        Instant now = clock.instant();
        CustomDomain added;
        try {
            added = jdbi.inTransaction(handle -> {
                Long owner = handle.createQuery("SELECT project_id FROM custom_domains WHERE host = :host")
                        .bind("host", host).mapTo(Long.class).findOne().orElse(null);
                if (owner != null) {
                    throw taken(host, owner == projectId);
                }
                long id = handle.createUpdate("""
                                INSERT INTO custom_domains (project_id, host, token, status, reason, created_at)
                                VALUES (:projectId, :host, :token, :status, :reason, :now)""")
                        .bind("projectId", projectId).bind("host", host).bind("token", token)
                        .bind("status", DomainStatus.PENDING_OWNERSHIP.name())
                        .bind("reason", "TXT " + CustomDomain.CHALLENGE_LABEL + "." + host + " not checked yet")
                        .bind("now", now)
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                return find(handle, projectId, id);
            });
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                throw taken(host, false); // added by someone else at the same moment
            }
            throw e;
        }
        audit.record(actor, AuditAction.DOMAIN_ADDED, "project:" + projectId, host);
        return added;
    }

    public void remove(long projectId, long domainId, Actor actor) {
        CustomDomain domain = get(projectId, domainId);
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM custom_domains WHERE id = :id")
                .bind("id", domainId).execute());
        refreshRoutes(projectId);
        audit.record(actor, AuditAction.DOMAIN_REMOVED, "project:" + projectId, domain.host());
    }

    /** Makes this domain the project's primary (and the only one); the primary never redirects. */
    public CustomDomain makePrimary(long projectId, long domainId, Actor actor) {
        CustomDomain domain = get(projectId, domainId);
        jdbi.useTransaction(handle -> handle.createUpdate("""
                        UPDATE custom_domains SET is_primary = (id = :id),
                            redirect_to_primary = CASE WHEN id = :id THEN FALSE ELSE redirect_to_primary END
                        WHERE project_id = :projectId""")
                .bind("id", domainId).bind("projectId", projectId).execute());
        refreshRoutes(projectId);
        audit.record(actor, AuditAction.DOMAIN_CHANGED, "project:" + projectId, domain.host() + " made primary");
        return get(projectId, domainId);
    }

    /** @throws UserFacingException 400 when asked to redirect the primary domain to itself */
    public CustomDomain setRedirect(long projectId, long domainId, boolean redirect, Actor actor) {
        CustomDomain domain = get(projectId, domainId);
        if (redirect && domain.primary()) {
            throw UserFacingException.invalid("redirect", domain.host()
                    + " is the primary domain; the other domains can redirect to it.");
        }
        jdbi.useHandle(handle -> handle.createUpdate(
                        "UPDATE custom_domains SET redirect_to_primary = :redirect WHERE id = :id")
                .bind("redirect", redirect).bind("id", domainId).execute());
        refreshRoutes(projectId);
        audit.record(actor, AuditAction.DOMAIN_CHANGED, "project:" + projectId,
                domain.host() + (redirect ? " redirects to the primary domain" : " served without redirect"));
        return get(projectId, domainId);
    }

    /** Asks DNS now and stores what it says. Blocking (up to the resolver's timeout per record). */
    public CustomDomain check(long projectId, long domainId) {
        CustomDomain domain = get(projectId, domainId);
        String slug = slugOf(projectId);
        DnsCheck.Outcome outcome = dns.check(domain.host(), domain.token(), domain.ownerVerifiedAt() != null,
                cnameTarget(slug));
        Instant now = clock.instant();
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE custom_domains SET status = :status, reason = :reason, checked_at = :now,
                            owner_verified_at = CASE WHEN :owned AND owner_verified_at IS NULL THEN :now
                                ELSE owner_verified_at END
                        WHERE id = :id""")
                .bind("status", outcome.status().name()).bind("reason", outcome.reason()).bind("now", now)
                .bind("owned", outcome.owned()).bind("id", domainId).execute());
        boolean wasActive = domain.status() == DomainStatus.ACTIVE;
        boolean active = outcome.status() == DomainStatus.ACTIVE;
        if (wasActive != active || domain.status() != outcome.status()) {
            refreshRoutes(projectId);
        }
        if (wasActive != active) {
            LOG.info("Custom domain {} of project {} is {}{}", domain.host(), projectId,
                    active ? "active" : "no longer active", active ? "" : ": " + outcome.reason());
            listener.changed(projectId, domain.host(), active, outcome.reason());
        }
        return get(projectId, domainId);
    }

    /** Checks every domain of every project; one failing never stops the others. */
    public int checkAll() {
        List<long[]> ids = jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT project_id, id FROM custom_domains ORDER BY id")
                .map((rs, ctx) -> new long[] {rs.getLong(1), rs.getLong(2)}).list());
        int checked = 0;
        for (long[] id : ids) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            try {
                check(id[0], id[1]);
                checked++;
            } catch (UserFacingException e) {
                // removed meanwhile
            } catch (RuntimeException e) {
                LOG.warn("Could not check custom domain {}: {}", id[1], e.toString());
            }
        }
        return checked;
    }

    /**
     * Fills the site server's routes from the database: at start, and after each periodic check, which picks up what
     * other nodes of a cluster changed.
     */
    public void loadRoutes() {
        List<Long> projects = jdbi.withHandle(handle -> handle.createQuery(
                "SELECT DISTINCT project_id FROM custom_domains").mapTo(Long.class).list());
        projects.forEach(this::refreshRoutes);
        routes.projects().stream().filter(id -> !projects.contains(id)).forEach(routes::forget);
    }

    /** Stops serving a project's domains (its rows go with the project). */
    public void forgetProject(long projectId) {
        routes.forget(projectId);
    }

    public CustomDomain get(long projectId, long domainId) {
        return jdbi.withHandle(handle -> find(handle, projectId, domainId));
    }

    private void refreshRoutes(long projectId) {
        String slug = jdbi.withHandle(handle -> handle.createQuery("SELECT slug FROM projects WHERE id = :id")
                .bind("id", projectId).mapTo(String.class).findOne().orElse(null));
        if (slug == null) {
            routes.forget(projectId);
        } else {
            routes.replace(projectId, slug, list(projectId));
        }
    }

    private String slugOf(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT slug FROM projects WHERE id = :id")
                .bind("id", projectId).mapTo(String.class).findOne())
                .orElseThrow(() -> UserFacingException.notFound("No such project."));
    }

    private static CustomDomain find(Handle handle, long projectId, long domainId) {
        return handle.createQuery("SELECT " + COLUMNS
                        + " FROM custom_domains d WHERE d.id = :id AND d.project_id = :projectId")
                .bind("id", domainId).bind("projectId", projectId).map(CustomDomains::row).findOne()
                .orElseThrow(() -> UserFacingException.notFound("No such domain in this project."));
    }

    private static List<CustomDomain> list(Handle handle, long projectId) {
        return handle.createQuery("SELECT " + COLUMNS
                        + " FROM custom_domains d WHERE d.project_id = :projectId ORDER BY d.is_primary DESC, d.host")
                .bind("projectId", projectId).map(CustomDomains::row).list();
    }

    private static CustomDomain row(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
            throws SQLException {
        return new CustomDomain(rs.getLong("id"), rs.getLong("project_id"), rs.getString("host"),
                rs.getString("token"), DomainStatus.valueOf(rs.getString("status")), rs.getString("reason"),
                rs.getBoolean("is_primary"), rs.getBoolean("redirect_to_primary"), instant(rs, "created_at"),
                instant(rs, "checked_at"), instant(rs, "owner_verified_at"));
    }

    private static Instant instant(java.sql.ResultSet rs, String column) throws SQLException {
        var value = rs.getObject(column, java.time.OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private byte[] bytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static UserFacingException taken(String host, boolean byThisProject) {
        return new UserFacingException(409, "conflict", byThisProject ? host + " is already a domain of this project"
                : host + " belongs to another project", "domain");
    }
}
