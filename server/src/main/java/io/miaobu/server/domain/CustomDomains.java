package io.miaobu.server.domain;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.cdn.DomainBinding;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.boot.DomainConfig;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.domain.DnsCheck.Outcome;
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
 * DNS, the primary domain and redirects to it, and keeping the site server's {@link DomainRoutes} in step. The domains
 * of a project whose deploy target has a CDN ({@link CdnDomains}) are bound at that CDN once their ownership is proven,
 * point their CNAME at the host the CDN names, are served by the CDN (not by the site server), and are unbound when
 * removed.
 */
public final class CustomDomains {

    private static final Logger LOG = LoggerFactory.getLogger(CustomDomains.class);

    /** Told when a domain starts or stops being served; for notifications. */
    @FunctionalInterface
    public interface StatusListener {
        void changed(long projectId, String host, boolean active, String reason);
    }

    private static final String COLUMNS = "d.id, d.project_id, d.host, d.token, d.status, d.reason, d.is_primary,"
            + " d.redirect_to_primary, d.created_at, d.checked_at, d.owner_verified_at, d.cdn_provider,"
            + " d.cdn_requested_at, d.cdn_cname, d.cdn_status, d.cdn_message, d.cdn_error";
    /** The width of the text columns (reason, cdn_message, cdn_error). */
    private static final int TEXT = 1000;

    private final Jdbi jdbi;
    private final DnsCheck dns;
    private final CdnDomains cdn;
    private final DomainRoutes routes;
    private final DomainNames names;
    private final String sitesDomain;
    private final String cnameTarget;
    private final AuditLog audit;
    private final StatusListener listener;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param cdn           the CDNs that serve the domains of projects deploying to a target with one
     * @param reservedHosts hosts no project may take (the server's public host)
     */
    public CustomDomains(Jdbi jdbi, DnsCheck dns, CdnDomains cdn, DomainRoutes routes, String sitesDomain,
                         Set<String> reservedHosts, DomainConfig settings, AuditLog audit, StatusListener listener,
                         Clock clock) {
        this.jdbi = jdbi;
        this.dns = dns;
        this.cdn = cdn;
        this.routes = routes;
        this.sitesDomain = sitesDomain.toLowerCase(Locale.ROOT);
        this.names = new DomainNames(this.sitesDomain, reservedHosts);
        this.cnameTarget = settings.cnameTarget().map(t -> t.toLowerCase(Locale.ROOT)).orElse(null);
        this.audit = audit;
        this.listener = listener;
        this.clock = clock;
    }

    /** The host the CNAME records of a project this server serves must point to. */
    public String cnameTarget(String slug) {
        return cnameTarget != null ? cnameTarget : slug + "." + sitesDomain;
    }

    /**
     * The host this domain's CNAME record must point to: for a domain a CDN serves, the one the CDN named (null until
     * it has, which is after ownership is proven); else the project's.
     */
    public String cnameTarget(CustomDomain domain, String slug) {
        if (domain.onCdn()) {
            return domain.cdn().bound() ? domain.cdn().cname() : null;
        }
        return cnameTarget(slug);
    }

    /** The name, for people, of the CDN serving a domain; null for a domain this server serves. */
    public String cdnName(CustomDomain domain) {
        return domain.onCdn() ? cdn.displayName(domain.cdn().provider()) : null;
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
        String cdnId = cdn.forDeployTarget(siteOf(projectId).deployTarget()).orElse(null);
        CustomDomain added;
        try {
            added = jdbi.inTransaction(handle -> {
                Long owner = handle.createQuery("SELECT project_id FROM custom_domains WHERE host = :host")
                        .bind("host", host).mapTo(Long.class).findOne().orElse(null);
                if (owner != null) {
                    throw taken(host, owner == projectId);
                }
                long id = handle.createUpdate("""
                                INSERT INTO custom_domains (project_id, host, token, status, reason, created_at,
                                    cdn_provider)
                                VALUES (:projectId, :host, :token, :status, :reason, :now, :cdnProvider)""")
                        .bind("projectId", projectId).bind("host", host).bind("token", token)
                        .bind("cdnProvider", cdnId)
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
        if (atCdn(domain)) {
            unbindQuietly(domain.cdn().provider(), domain.host());
        }
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

    /**
     * Asks DNS now and stores what it says. For a domain a CDN serves, once ownership is proven: binds it at the CDN
     * (again, after a refusal) or asks the CDN how it stands, then checks the CNAME the CDN named. Blocking (up to the
     * resolver's timeout per record, and the CDN's calls).
     */
    public CustomDomain check(long projectId, long domainId) {
        CustomDomain domain = get(projectId, domainId);
        ProjectSite site = siteOf(projectId);
        String cdnId = domain.onCdn() ? domain.cdn().provider()
                : cdn.forDeployTarget(site.deployTarget()).orElse(null);
        Instant now = clock.instant();
        Checked checked = cdnId == null
                ? new Checked(dns.check(domain.host(), domain.token(), domain.ownerVerifiedAt() != null,
                        cnameTarget(site.slug())), null, false)
                : checkAtCdn(domain, site.slug(), domain.onCdn() ? domain.cdn() : CdnBinding.notRequested(cdnId), now);
        Outcome outcome = checked.outcome();
        CdnBinding binding = checked.binding();
        int updated = jdbi.withHandle(handle -> handle.createUpdate("""
                        UPDATE custom_domains SET status = :status, reason = :reason, checked_at = :now,
                            owner_verified_at = CASE WHEN :owned AND owner_verified_at IS NULL THEN :now
                                ELSE owner_verified_at END,
                            cdn_provider = :cdnProvider, cdn_requested_at = :cdnRequestedAt, cdn_cname = :cdnCname,
                            cdn_status = :cdnStatus, cdn_message = :cdnMessage, cdn_error = :cdnError
                        WHERE id = :id""")
                .bind("status", outcome.status().name()).bind("reason", clip(outcome.reason(), TEXT))
                .bind("now", now).bind("owned", outcome.owned()).bind("id", domainId)
                .bind("cdnProvider", binding == null ? null : binding.provider())
                .bindByType("cdnRequestedAt", binding == null ? null : binding.requestedAt(), Instant.class)
                .bind("cdnCname", binding == null ? null : clip(binding.cname(), 253))
                .bind("cdnStatus", binding == null || binding.status() == null ? null : binding.status().name())
                .bind("cdnMessage", binding == null ? null : clip(binding.message(), TEXT))
                .bind("cdnError", binding == null ? null : clip(binding.error(), TEXT))
                .execute());
        if (updated == 0 && checked.boundNow()) {
            // removed while the CDN was binding it: the removal did not know to unbind it
            unbindQuietly(binding.provider(), domain.host());
        }
        boolean wasActive = domain.status() == DomainStatus.ACTIVE;
        boolean active = outcome.status() == DomainStatus.ACTIVE;
        if (wasActive != active || domain.status() != outcome.status() || domain.onCdn() != (binding != null)) {
            refreshRoutes(projectId);
        }
        if (wasActive != active) {
            LOG.info("Custom domain {} of project {} is {}{}", domain.host(), projectId,
                    active ? "active" : "no longer active", active ? "" : ": " + outcome.reason());
            listener.changed(projectId, domain.host(), active, outcome.reason());
        }
        return get(projectId, domainId);
    }

    /** What a check found, and where the domain stands at its CDN afterwards (null for one this server serves). */
    private record Checked(Outcome outcome, CdnBinding binding, boolean boundNow) {
    }

    private Checked checkAtCdn(CustomDomain domain, String slug, CdnBinding state, Instant now) {
        String host = domain.host();
        if (domain.ownerVerifiedAt() == null) {
            // nobody may park a domain on our CDN account without proving it theirs
            Outcome ownership = dns.ownership(host, domain.token());
            if (!ownership.owned()) {
                return new Checked(ownership, state, false);
            }
        }
        Instant requested = state.requestedAt() != null ? state.requestedAt() : now;
        boolean boundNow = false;
        CdnBinding binding;
        try {
            DomainBinding answer = state.bound() ? cdn.status(state.provider(), host) : null;
            if (answer == null || answer.cname() == null || answer.cname().isBlank()) {
                // not asked yet, refused before, or gone from the CDN (which then names no CNAME for it)
                boundNow = true;
                answer = cdn.bind(state.provider(), slug, host);
            }
            binding = state.answered(requested, answer);
        } catch (RuntimeException e) {
            String why = reasonOf(e, state.provider(), host);
            binding = state.failed(requested, why);
            if (boundNow) {
                return new Checked(new Outcome(DomainStatus.ERROR, "The CDN refused the domain: " + why, true),
                        binding, true);
            }
            // bound before and only the status question failed: the domain is still there, DNS decides as usual
        }
        String cdnName = cdn.displayName(state.provider());
        if (!binding.bound()) {
            return new Checked(new Outcome(DomainStatus.PENDING_DNS, cdnName + " has not named the CNAME target for "
                    + host + " yet", true), binding, boundNow);
        }
        if (binding.status() == DomainBinding.Status.FAILED) {
            return new Checked(new Outcome(DomainStatus.ERROR, "The CDN could not set the domain up: "
                    + (binding.message() == null ? cdnName + " reports it failed." : binding.message()), true),
                    binding, boundNow);
        }
        return new Checked(dns.routedToCdn(host, binding.cname(), cdnName), binding, boundNow);
    }

    private static String reasonOf(RuntimeException e, String provider, String host) {
        if (e instanceof ExtensionException && e.getMessage() != null && !e.getMessage().isBlank()) {
            LOG.info("The CDN {} refused {}: {}", provider, host, e.getMessage());
            return e.getMessage();
        }
        LOG.warn("The CDN {} failed on {}", provider, host, e);
        return "the " + provider + " plugin failed unexpectedly (the server log has the detail).";
    }

    private boolean unbindQuietly(String provider, String host) {
        try {
            cdn.unbind(provider, host);
            LOG.info("Removed {} from the CDN {}", host, provider);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("Could not remove {} from the CDN {}; remove it there by hand: {}", host, provider,
                    e.getMessage(), e);
            return false;
        }
    }

    private static boolean atCdn(CustomDomain domain) {
        return domain.onCdn() && domain.cdn().requestedAt() != null;
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

    /**
     * Stops serving a project's domains and takes them off its CDN, because the project is being deleted (its rows go
     * with it). A CDN that refuses is logged and does not stop the deletion.
     */
    public void forgetProject(long projectId) {
        routes.forget(projectId);
        for (CustomDomain domain : list(projectId)) {
            if (atCdn(domain) && unbindQuietly(domain.cdn().provider(), domain.host())) {
                // should the deletion fail after all, the next check binds it again
                jdbi.useHandle(handle -> handle.createUpdate("""
                                UPDATE custom_domains SET cdn_requested_at = NULL, cdn_cname = NULL, cdn_status = NULL,
                                    cdn_message = NULL, cdn_error = NULL
                                WHERE id = :id""")
                        .bind("id", domain.id()).execute());
            }
        }
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

    /** A project's site as the deploy target knows it: the slug is its site key. */
    private record ProjectSite(String slug, String deployTarget) {
    }

    private ProjectSite siteOf(long projectId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT slug, deploy_target FROM projects WHERE id = :id")
                .bind("id", projectId)
                .map((rs, ctx) -> new ProjectSite(rs.getString("slug"), rs.getString("deploy_target"))).findOne())
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
                instant(rs, "checked_at"), instant(rs, "owner_verified_at"), cdnOf(rs));
    }

    private static CdnBinding cdnOf(java.sql.ResultSet rs) throws SQLException {
        String provider = rs.getString("cdn_provider");
        if (provider == null) {
            return null;
        }
        String status = rs.getString("cdn_status");
        return new CdnBinding(provider, instant(rs, "cdn_requested_at"), rs.getString("cdn_cname"),
                status == null ? null : DomainBinding.Status.valueOf(status), rs.getString("cdn_message"),
                rs.getString("cdn_error"));
    }

    private static String clip(String text, int length) {
        return text == null || text.length() <= length ? text : text.substring(0, length - 1) + "…";
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
