package io.miaobu.server.cert;

import io.miaobu.api.Secret;
import io.miaobu.api.cdn.CdnProvider;
import io.miaobu.api.cert.CertificateBundle;
import io.miaobu.api.cert.CertificateIssuer;
import io.miaobu.api.cert.CertificateOrder;
import io.miaobu.api.cert.Http01Solver;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.CertificateConfig;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.web.UserFacingException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Custom domains' TLS certificates: ordering them from the installed {@code CertificateIssuer} (HTTP-01 answered by
 * this server for domains it serves, DNS-01 through a {@code DnsProvider} that manages the domain's zone), renewing
 * them before they expire, retrying failures with backoff, warning before an unrenewed certificate expires, taking
 * uploaded ones, and installing each where it is served: this server's TLS connector and, for projects published to
 * a CDN, the CDN of the deploy target's id.
 *
 * <p>Every attempt on a domain first takes the row's lease in the database, so no two attempts for one domain run at
 * once, on one node or across a cluster. The scheduler ({@link CertificateRenewals}) calls {@link #runOnce()}.
 */
public final class CertificateService {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateService.class);

    /** Long enough for an ACME order with a DNS-01 wait; a node that dies holding it blocks the domain this long. */
    static final Duration LEASE = Duration.ofMinutes(15);
    /** Expiry warnings, in days before the end, when renewal keeps failing (or for uploaded certificates). */
    static final List<Integer> WARNING_DAYS = List.of(21, 7, 1);

    /** Where this server serves certificates: its TLS connector. */
    public interface TlsEndpoint {
        void serve(String host, PrivateKey key, List<X509Certificate> chain);

        void stopServing(String host);
    }

    /** What users hear about certificates (through the notification outbox). */
    public interface Events {
        void issued(long projectId, String host, Instant notAfter, boolean renewal);

        void failing(long projectId, String host, Instant notAfter, String error);

        void expiring(long projectId, String host, Instant notAfter, String lastError);
    }

    private final Jdbi jdbi;
    private final DomainCertificates store;
    private final ExtensionRegistry extensions;
    private final BiFunction<String, io.miaobu.api.MiaobuExtension, ConfigValues> settings;
    private final Http01Solver http01;
    private final SecretBox secrets;
    private final TlsEndpoint served;
    private final boolean servesTls;
    private final Events events;
    private final AuditLog audit;
    private final CertificateConfig config;
    private final String nodeId;
    private final Clock clock;
    /** host → serial of what this node's TLS connector serves */
    private final Map<String, String> servedHere = new HashMap<>();
    private volatile Runnable wake = () -> { };

    /**
     * @param settings  an extension's stored settings: (point, extension) → values
     * @param servesTls whether this server terminates TLS (so certificates are worth having without a CDN)
     */
    public CertificateService(Jdbi jdbi, ExtensionRegistry extensions,
                              BiFunction<String, io.miaobu.api.MiaobuExtension, ConfigValues> settings,
                              Http01Solver http01, SecretBox secrets, TlsEndpoint served, boolean servesTls,
                              Events events, AuditLog audit, CertificateConfig config, String nodeId, Clock clock) {
        this.jdbi = jdbi;
        this.store = new DomainCertificates(jdbi);
        this.extensions = extensions;
        this.settings = settings;
        this.http01 = http01;
        this.secrets = secrets;
        this.served = served;
        this.servesTls = servesTls;
        this.events = events;
        this.audit = audit;
        this.config = config;
        this.nodeId = nodeId;
        this.clock = clock;
    }

    /** What the scheduler does when asked to run soon (set by {@link CertificateRenewals}). */
    void onWake(Runnable wake) {
        this.wake = wake;
    }

    /** Asks the scheduler to run soon: a domain became active, or a user asked for a certificate. */
    public void wake() {
        wake.run();
    }

    public DomainCertificates store() {
        return store;
    }

    public Optional<DomainCertificate> forDomain(long projectId, long domainId) {
        requireDomain(projectId, domainId);
        return store.forDomain(domainId);
    }

    /** A domain's certificate as the API shows it ({@code NONE} when it has none). */
    public CertificateView view(long projectId, long domainId) {
        DomainRow domain = requireDomain(projectId, domainId);
        return store.forDomain(domainId).map(CertificateView::of)
                .orElseGet(() -> CertificateView.none(domainId, domain.host(), projectId));
    }

    /** Whether certificates can be ordered at all (an issuer is installed). */
    public boolean canIssue() {
        return issuer().isPresent();
    }

    /**
     * Asks for a certificate from the issuer now (a new one even when the current one is still good); the scheduler
     * orders it within moments.
     *
     * @throws UserFacingException 409 when no issuer is installed or the domain is not active yet
     */
    public DomainCertificate requestNow(long projectId, long domainId, Actor actor) {
        DomainRow domain = requireDomain(projectId, domainId);
        if (!"ACTIVE".equals(domain.status())) {
            throw UserFacingException.conflict("The domain " + domain.host() + " is not active yet: finish its DNS"
                    + " records first, so that the certificate authority can reach it.");
        }
        CertificateIssuer issuer = issuer().orElseThrow(() -> UserFacingException.conflict(
                "No certificate issuer is installed. An admin can install and configure the acme plugin."));
        DomainCertificate row = store.request(domainId, domain.host(), issuer.id(), clock.instant());
        audit.record(actor, AuditAction.CERTIFICATE_REQUESTED, "project:" + projectId, domain.host());
        wake();
        return row;
    }

    /**
     * Stores an uploaded certificate after checking it (key matches, chain, names, dates) and serves it at once.
     *
     * @throws UserFacingException 400 with the reason in words when it does not fit
     */
    public DomainCertificate upload(long projectId, long domainId, String chainPem, String keyPem, Actor actor) {
        DomainRow domain = requireDomain(projectId, domainId);
        Instant now = clock.instant();
        ParsedCertificate parsed;
        try {
            parsed = UploadedCertificates.validate(chainPem, keyPem, domain.host(), now);
        } catch (CertificateRejectedException e) {
            throw UserFacingException.invalid(e.input() == CertificateRejectedException.Input.PRIVATE_KEY
                    ? "privateKey" : "certificate", e.getMessage());
        }
        DomainCertificate row = store.request(domainId, domain.host(), null, now);
        String pem = CertificatePems.toPem(parsed.chain());
        store.store(row.id(), CertificateSource.UPLOADED, null, parsed, pem,
                secrets.seal(CertificatePems.toPem(parsed.key()), DomainCertificates.SECRET_PURPOSE), now, null);
        audit.record(actor, AuditAction.CERTIFICATE_UPLOADED, "project:" + projectId,
                domain.host() + " (serial " + parsed.serial() + ", until " + parsed.notAfter() + ")");
        install(store.forDomain(domainId).orElseThrow(), parsed);
        return store.forDomain(domainId).orElseThrow();
    }

    /** Forgets a domain's certificate and stops serving it; an automatic one is requested again when it applies. */
    public void remove(long projectId, long domainId, Actor actor) {
        DomainRow domain = requireDomain(projectId, domainId);
        store.delete(domainId);
        synchronized (servedHere) {
            if (servedHere.remove(domain.host()) != null) {
                served.stopServing(domain.host());
            }
        }
        audit.record(actor, AuditAction.CERTIFICATE_REMOVED, "project:" + projectId, domain.host());
    }

    /**
     * One round of the scheduler: requests certificates for active domains that have none (when automatic
     * certificates apply), orders or renews every due one, sends expiry warnings, retries CDN installs, and makes this
     * node serve what the database holds (which picks up what other nodes issued).
     */
    public void runOnce() throws InterruptedException {
        Instant now = clock.instant();
        requestMissing(now);
        for (DomainCertificate due : store.due(now, 20)) {
            attempt(due);
        }
        sendWarnings(clock.instant());
        syncServed();
    }

    /** Loads every stored certificate into this node's TLS connector: at start. */
    public void loadServed() {
        syncServed();
    }

    private void requestMissing(Instant now) {
        if (!config.automatic()) {
            return;
        }
        Optional<CertificateIssuer> issuer = issuer();
        if (issuer.isEmpty()) {
            return;
        }
        List<DomainRow> missing = jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT d.id, d.project_id, d.host, d.status, p.deploy_target FROM custom_domains d
                        JOIN projects p ON p.id = d.project_id
                        LEFT JOIN domain_certificates c ON c.domain_id = d.id
                        WHERE d.status = 'ACTIVE' AND c.id IS NULL""")
                .map((rs, ctx) -> new DomainRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5))).list());
        for (DomainRow domain : missing) {
            if (servesTls || cdnOf(domain.deployTarget()).isPresent()) {
                LOG.info("Requesting a certificate for {} from {}", domain.host(), issuer.get().id());
                store.request(domain.id(), domain.host(), issuer.get().id(), now);
            }
        }
    }

    /** One attempt to order a due certificate; a failure is recorded with the next retry. */
    void attempt(DomainCertificate due) throws InterruptedException {
        String holder = nodeId + "/" + UUID.randomUUID();
        if (!store.claim(due.id(), holder, clock.instant(), LEASE)) {
            return;
        }
        try {
            // read again under the lease: it may have been uploaded, renewed or removed meanwhile
            Optional<DomainCertificate> current = store.forDomain(due.domainId());
            if (current.isEmpty() || current.get().source() != CertificateSource.ISSUED
                    || current.get().renewAfter() == null || current.get().renewAfter().isAfter(clock.instant())) {
                return;
            }
            order(current.get());
        } finally {
            store.release(due.id(), holder);
        }
    }

    private void order(DomainCertificate row) throws InterruptedException {
        boolean renewal = row.present();
        Instant started = clock.instant();
        String error;
        try {
            DomainRow domain = domainOf(row.domainId());
            CertificateIssuer issuer = (row.issuerId() == null ? Optional.<CertificateIssuer>empty()
                    : extensions.find(CertificateIssuer.class, row.issuerId())).or(this::issuer)
                    .orElseThrow(() -> new OrderFailed("No certificate issuer is installed: install and configure"
                            + " the acme plugin."));
            Optional<CdnProvider> cdn = cdnOf(domain.deployTarget());
            // HTTP-01 reaches this server only when it serves the domain itself; a CDN answers for the others
            Http01Solver http = cdn.isPresent() ? null : http01;
            DnsProviderSolver dns = dnsSolverFor(domain.host());
            if (http == null && dns == null) {
                throw new OrderFailed(domain.host() + " is served by the CDN, so the certificate authority cannot"
                        + " reach this server over HTTP: install a DNS provider that manages its zone (DNS-01).");
            }
            var log = new io.miaobu.server.ops.OperatorTaskLog(LOG, domain.host());
            LOG.info("Ordering a certificate for {} from {} ({})", domain.host(), issuer.id(),
                    renewal ? "renewal" : "first");
            CertificateBundle bundle = issuer.issue(new CertificateOrder(List.of(domain.host()), http, dns,
                    settings.apply("CertificateIssuer", issuer), log));
            ParsedCertificate parsed = UploadedCertificates.validate(bundle.certificatePem(),
                    bundle.privateKeyPem().reveal(), domain.host(), clock.instant());
            String pem = CertificatePems.toPem(parsed.chain());
            Instant now = clock.instant();
            store.store(row.id(), CertificateSource.ISSUED, issuer.id(), parsed, pem,
                    secrets.seal(CertificatePems.toPem(parsed.key()), DomainCertificates.SECRET_PURPOSE), now,
                    renewalTime(parsed.notBefore(), parsed.notAfter()));
            LOG.info("Certificate for {} {} (serial {}, until {})", domain.host(), renewal ? "renewed" : "issued",
                    parsed.serial(), parsed.notAfter());
            install(store.forDomain(row.domainId()).orElseThrow(), parsed);
            events.issued(domain.projectId(), domain.host(), parsed.notAfter(), renewal);
            return;
        } catch (InterruptedException e) {
            throw e;
        } catch (OrderFailed | CertificateRejectedException | io.miaobu.api.ExtensionException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            LOG.warn("Ordering a certificate for {} failed", row.host(), e);
            error = "The certificate issuer failed: " + e;
        }
        int attempts = row.attempts() + 1;
        Instant retryAt = clock.instant().plus(backoff(attempts));
        store.failed(row.id(), error, clock.instant(), retryAt);
        LOG.warn("Could not get a certificate for {} (attempt {}, next at {}): {}", row.host(), attempts, retryAt,
                error);
        if (row.attempts() == 0) {
            events.failing(row.projectId(), row.host(), row.notAfter(), error);
        }
        LOG.debug("Attempt for {} took {}", row.host(), Duration.between(started, clock.instant()));
    }

    /** The delay before attempt {@code attempts + 1}: doubling from the configured first delay up to the cap. */
    Duration backoff(int attempts) {
        Duration delay = config.retryDelay();
        for (int i = 1; i < attempts && delay.compareTo(config.maxRetryDelay()) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(config.maxRetryDelay()) > 0 ? config.maxRetryDelay() : delay;
    }

    /**
     * When to renew: {@code renewBefore} (30 days) before the end, but for certificates that live less than three
     * times that, when a third of their life is left.
     */
    Instant renewalTime(Instant notBefore, Instant notAfter) {
        Duration life = Duration.between(notBefore, notAfter);
        Duration before = config.renewBefore();
        if (life.compareTo(before.multipliedBy(3)) < 0) {
            before = life.dividedBy(3);
        }
        return notAfter.minus(before);
    }

    private void sendWarnings(Instant now) {
        for (DomainCertificate row : store.all()) {
            if (!row.present() || row.notAfter() == null) {
                continue;
            }
            boolean renewalFailing = row.source() == CertificateSource.ISSUED && row.lastError() != null;
            if (!renewalFailing && row.source() != CertificateSource.UPLOADED) {
                continue;
            }
            Integer threshold = null;
            for (int days : WARNING_DAYS) {
                if (!now.isBefore(row.notAfter().minus(Duration.ofDays(days)))) {
                    threshold = days;
                }
            }
            if (threshold == null || (row.warnedDays() != null && row.warnedDays() <= threshold)) {
                continue;
            }
            store.warned(row.id(), threshold);
            events.expiring(row.projectId(), row.host(), row.notAfter(), row.source() == CertificateSource.UPLOADED
                    ? "It was uploaded: upload a new one, or remove it to get one automatically." : row.lastError());
        }
    }

    private void install(DomainCertificate row, ParsedCertificate parsed) {
        synchronized (servedHere) {
            served.serve(row.host(), parsed.key(), parsed.chain());
            servedHere.put(row.host(), parsed.serial());
        }
        installOnCdn(row, CertificatePems.toPem(parsed.key()));
    }

    private void installOnCdn(DomainCertificate row, String keyPem) {
        DomainRow domain = domainOf(row.domainId());
        Optional<CdnProvider> cdn = domain == null ? Optional.empty() : cdnOf(domain.deployTarget());
        if (cdn.isEmpty()) {
            return;
        }
        try {
            cdn.get().installCertificate(settings.apply("CdnProvider", cdn.get()), row.host(),
                    new CertificateBundle(row.names(), row.certificatePem(), Secret.of(keyPem), row.notBefore(),
                            row.notAfter()));
            store.cdnInstalled(row.id(), clock.instant(), null);
            LOG.info("Installed the certificate for {} on the CDN {}", row.host(), cdn.get().id());
        } catch (RuntimeException e) {
            store.cdnInstalled(row.id(), clock.instant(), "The CDN refused the certificate: " + e.getMessage());
            LOG.warn("Could not install the certificate for {} on the CDN {}: {}", row.host(), cdn.get().id(),
                    e.getMessage());
        }
    }

    /** Serves what the database holds: new and renewed certificates (also other nodes'), none for removed ones. */
    private void syncServed() {
        List<DomainCertificate> rows = store.all();
        synchronized (servedHere) {
            var wanted = new HashMap<String, DomainCertificate>();
            rows.stream().filter(DomainCertificate::present).forEach(row -> wanted.put(row.host(), row));
            for (String host : List.copyOf(servedHere.keySet())) {
                if (!wanted.containsKey(host)) {
                    servedHere.remove(host);
                    served.stopServing(host);
                }
            }
            for (DomainCertificate row : wanted.values()) {
                if (row.serial() == null || row.serial().equals(servedHere.get(row.host()))) {
                    continue;
                }
                try {
                    String keyPem = secrets.open(store.sealedKey(row.id()).orElseThrow(),
                            DomainCertificates.SECRET_PURPOSE);
                    ParsedCertificate stored = ParsedCertificate.fromPem(row.certificatePem(), keyPem);
                    served.serve(row.host(), stored.key(), stored.chain());
                    servedHere.put(row.host(), row.serial());
                } catch (RuntimeException e) {
                    LOG.warn("Cannot serve the stored certificate for {}: {}", row.host(), e.getMessage());
                }
            }
        }
        if (extensions.all(CdnProvider.class).isEmpty()) {
            return; // no CDN: nothing to install, and no reason to look up every domain's deploy target
        }
        for (DomainCertificate row : rows) {
            // the CDN refused or was down when the certificate came: try again every round
            if (row.present() && row.cdnInstalledAt() == null) {
                DomainRow domain = domainOf(row.domainId());
                if (domain != null && cdnOf(domain.deployTarget()).isPresent()) {
                    installOnCdn(row, secrets.open(store.sealedKey(row.id()).orElseThrow(),
                            DomainCertificates.SECRET_PURPOSE));
                }
            }
        }
    }

    /** The issuer new certificates come from: the configured one, else {@code acme}, else the only one installed. */
    public Optional<CertificateIssuer> issuer() {
        if (config.issuer().isPresent()) {
            return extensions.find(CertificateIssuer.class, config.issuer().get());
        }
        List<CertificateIssuer> all = extensions.all(CertificateIssuer.class);
        return all.stream().filter(i -> i.id().equals("acme")).findFirst()
                .or(() -> all.size() == 1 ? Optional.of(all.get(0)) : Optional.empty());
    }

    private DnsProviderSolver dnsSolverFor(String host) {
        for (DnsProvider provider : extensions.all(DnsProvider.class)) {
            ConfigValues global = settings.apply("DnsProvider", provider);
            try {
                if (provider.manages(global, host)) {
                    return new DnsProviderSolver(provider, global);
                }
            } catch (RuntimeException e) {
                LOG.warn("DNS provider {} could not say whether it manages {}: {}", provider.id(), host,
                        e.getMessage());
            }
        }
        return null;
    }

    private Optional<CdnProvider> cdnOf(String deployTarget) {
        return deployTarget == null ? Optional.empty() : extensions.find(CdnProvider.class, deployTarget);
    }

    private DomainRow requireDomain(long projectId, long domainId) {
        DomainRow domain = domainOf(domainId);
        if (domain == null || domain.projectId() != projectId) {
            throw UserFacingException.notFound("No such domain in this project.");
        }
        return domain;
    }

    private DomainRow domainOf(long domainId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT d.id, d.project_id, d.host, d.status, p.deploy_target FROM custom_domains d
                        JOIN projects p ON p.id = d.project_id WHERE d.id = :id""")
                .bind("id", domainId)
                .map((rs, ctx) -> new DomainRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5))).findOne().orElse(null));
    }

    private record DomainRow(long id, long projectId, String host, String status, String deployTarget) {
    }

    /** A failure to report in words, without a stack trace. */
    private static final class OrderFailed extends RuntimeException {
        OrderFailed(String message) {
            super(message);
        }
    }
}
