package io.miaobu.server;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.server.account.AccountApi;
import io.miaobu.server.account.AccountPages;
import io.miaobu.server.account.UsersAdminApi;
import io.miaobu.server.account.UsersAdminPages;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.audit.AuditApi;
import io.miaobu.server.audit.AuditPage;
import io.miaobu.server.audit.AuditedFilter;
import io.miaobu.server.auth.AccessTokens;
import io.miaobu.server.auth.ApiTokenService;
import io.miaobu.server.auth.LockoutPolicy;
import io.miaobu.server.auth.SessionCookies;
import io.miaobu.server.auth.SessionService;
import io.miaobu.server.auth.SignIns;
import io.miaobu.server.auth.SigningKeys;
import io.miaobu.server.boot.ConfigException;
import io.miaobu.server.boot.SecurityConfig;
import io.miaobu.server.notify.AccountNotificationPages;
import io.miaobu.server.notify.AccountNotificationsApi;
import io.miaobu.server.notify.AdminNotificationPages;
import io.miaobu.server.notify.AdminNotificationsApi;
import io.miaobu.server.notify.ChannelApiSupport;
import io.miaobu.server.notify.ChannelPages;
import io.miaobu.server.notify.DeadLettersApi;
import io.miaobu.server.notify.NotificationChannels;
import io.miaobu.server.notify.NotificationDeliveries;
import io.miaobu.server.notify.NotificationDispatcher;
import io.miaobu.server.notify.NotificationOutbox;
import io.miaobu.server.notify.NotifiersApi;
import io.miaobu.server.notify.ProjectNotificationPages;
import io.miaobu.server.notify.ProjectNotificationsApi;
import io.miaobu.server.notify.UserEmails;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.http.CorsFilter;
import io.miaobu.server.http.HttpsEnforcementFilter;
import io.miaobu.server.http.AddressRanges;
import io.miaobu.server.http.TrustedProxyCustomizer;
import io.miaobu.server.identity.ConnectedAccountsPages;
import io.miaobu.server.identity.ExternalIdentities;
import io.miaobu.server.identity.ExternalSignInPages;
import io.miaobu.server.identity.IdentitiesApi;
import io.miaobu.server.identity.IdentityProviders;
import io.miaobu.server.identity.SignInAttempts;
import io.miaobu.server.member.MembersApi;
import io.miaobu.server.member.MembersPages;
import io.miaobu.server.member.ProjectLookup;
import io.miaobu.server.member.ProjectMembers;
import io.miaobu.server.ops.KeyRotationApi;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.ExtensionSettingsResource;
import io.miaobu.server.project.ProjectExtensionSettings;
import io.miaobu.server.project.ProjectExtensionSettingsApi;
import io.miaobu.server.project.ProjectExtensionSettingsPages;
import io.miaobu.server.project.ProjectVariables;
import io.miaobu.server.project.VariablesApi;
import io.miaobu.server.project.VariablesPages;
import io.miaobu.server.ratelimit.ClientAddress;
import io.miaobu.server.ratelimit.LocalRateLimits;
import io.miaobu.server.ratelimit.RateLimitFilter;
import io.miaobu.server.ratelimit.RateLimitPolicies;
import io.miaobu.server.ratelimit.RateLimiter;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.preview.PreviewPages;
import io.miaobu.server.preview.PreviewSweep;
import io.miaobu.server.preview.Previews;
import io.miaobu.server.preview.PreviewsApi;
import io.miaobu.server.preview.PreviewSettingsApi;
import io.miaobu.server.source.CommitStatusReporter;
import io.miaobu.server.source.ProjectSources;
import io.miaobu.server.source.SourceCredentials;
import io.miaobu.server.source.ImportPages;
import io.miaobu.server.source.RepositoryImports;
import io.miaobu.server.source.SourcesApi;
import io.miaobu.server.webhook.WebhookPages;
import io.miaobu.server.webhook.UnmatchedDeliveriesApi;
import io.miaobu.server.preview.Previews;
import io.miaobu.server.webhook.HooksResource;
import io.miaobu.server.webhook.ProjectWebhooks;
import io.miaobu.server.webhook.WebhookDeliveriesApi;
import io.miaobu.server.webhook.WebhookDeliveryLog;
import io.miaobu.server.webhook.WebhookHandler;
import io.miaobu.server.webhook.WebhookReceiver;
import io.miaobu.server.secrets.SecretColumn;
import io.miaobu.server.secrets.SecretRotation;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.AuthApi;
import io.miaobu.server.auth.AuthPages;
import io.miaobu.server.auth.CsrfFilter;
import io.miaobu.server.auth.CsrfTokens;
import io.miaobu.server.auth.PasswordHasher;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.ServerConfig;
import io.miaobu.server.build.BuildExecutor;
import io.miaobu.server.build.BuildLimits;
import io.miaobu.server.build.QueueApi;
import io.miaobu.server.build.QueuePage;
import io.miaobu.server.build.BuildQueue;
import io.miaobu.server.build.BuildRunners;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.build.cache.NodeVersion;
import io.miaobu.server.build.DatabaseBuildQueue;
import io.miaobu.server.build.NodeIdentity;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.BuildPipeline;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.BuildTimeouts;
import io.miaobu.server.build.DeploymentPages;
import io.miaobu.server.build.DeploymentsApi;
import io.miaobu.server.build.LogStreams;
import io.miaobu.server.build.HostBuildRunner;
import io.miaobu.server.deploy.CdnRefresh;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.disk.DiskApi;
import io.miaobu.server.cert.CertificateAdminPages;
import io.miaobu.server.cert.CertificateEvents;
import io.miaobu.server.cert.CertificatePages;
import io.miaobu.server.cert.CertificateRenewals;
import io.miaobu.server.cert.CertificateService;
import io.miaobu.server.cert.CertificatesAdminApi;
import io.miaobu.server.cert.CertificatesApi;
import io.miaobu.server.cert.DomainCertificates;
import io.miaobu.server.domain.CdnDomains;
import io.miaobu.server.domain.CustomDomains;
import io.miaobu.server.domain.DnsCheck;
import io.miaobu.server.domain.DnsResolvers;
import io.miaobu.server.domain.DomainCheckSchedule;
import io.miaobu.server.domain.DomainRoutes;
import io.miaobu.server.domain.DomainsApi;
import io.miaobu.server.domain.DomainsPages;
import io.miaobu.server.domain.Http01Challenges;
import io.miaobu.server.site.AcmeChallengeHandler;
import io.miaobu.server.disk.DiskPage;
import io.miaobu.server.disk.DiskUsage;
import io.miaobu.server.ops.HealthResource;
import io.miaobu.server.ops.StartupGate;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.plugin.BundledPlugins;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.plugin.PluginArchive;
import io.miaobu.server.plugin.PluginCalls;
import io.miaobu.server.plugin.PluginManagement;
import io.miaobu.server.plugin.PluginsApi;
import io.miaobu.server.plugin.PluginsPage;
import io.miaobu.server.plugin.UpdateSite;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectRemover;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.project.ProjectsApi;
import io.miaobu.server.retention.RetentionService;
import io.miaobu.server.site.OffloadingHandler;
import io.miaobu.server.site.HttpsHosts;
import io.miaobu.server.site.SiteServer;
import io.miaobu.server.tls.CertifiedKey;
import io.miaobu.server.tls.HttpsConnectors;
import io.miaobu.server.tls.PemFiles;
import io.miaobu.server.tls.SelfSignedCertificate;
import io.miaobu.server.tls.ServedCertificates;
import io.miaobu.server.tls.SniKeyManager;
import io.miaobu.server.web.ErrorMapper;
import io.miaobu.server.web.JsonMapper;
import io.miaobu.server.web.PageRenderer;
import io.miaobu.server.web.SecurityHeadersFilter;
import io.miaobu.server.web.StaticResource;
import io.miaobu.server.web.ThemeManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.jetty.JettyHttpContainer;
import org.glassfish.jersey.server.ContainerFactory;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: configuration → database → services → plugin host → Jersey → Jetty, everything built with
 * {@code new} and passed by constructor. Parts with a lifecycle start in wiring order and stop in reverse.
 */
public final class MiaobuServer {

    private static final Logger LOG = LoggerFactory.getLogger(MiaobuServer.class);
    private static final String HTTP_CONNECTOR = "http";

    private final ServerConfig config;
    private final Map<String, String> environment;
    private final Clock clock;
    private final List<MiaobuExtension> extraBuiltIns;
    private final Deque<Managed> started = new ArrayDeque<>();
    private final ServedCertificates servedCertificates;
    private Server jetty;
    private ResourceConfig webApplication;
    private Http01Challenges http01Challenges;

    /** Where every stored secret lives, for key rotation. */
    static final List<SecretColumn> SECRET_COLUMNS = List.of(
            new SecretColumn("plugin_settings", "id", "sealed_value", ExtensionSettings.SECRET_PURPOSE),
            new SecretColumn("project_variables", "id", "sealed_value", ProjectVariables.SECRET_PURPOSE),
            ProjectExtensionSettings.SECRET_COLUMN,
            SourceCredentials.TOKEN_COLUMN,
            ProjectWebhooks.SECRET_COLUMN,
            new SecretColumn("domain_certificates", "id", "sealed_key", DomainCertificates.SECRET_PURPOSE));

    public MiaobuServer(ServerConfig config, Map<String, String> environment, Clock clock) {
        this(config, environment, clock, List.of());
    }

    /**
     * @param extraBuiltIns extensions to offer beside the plugins' as if they were the core's own: for tests, which
     *                      bring stand-ins for services they cannot reach
     */
    public MiaobuServer(ServerConfig config, Map<String, String> environment, Clock clock,
                        List<MiaobuExtension> extraBuiltIns) {
        this.extraBuiltIns = List.copyOf(extraBuiltIns);
        this.config = config;
        this.environment = Map.copyOf(environment);
        this.clock = clock;
        this.servedCertificates = new ServedCertificates(clock);
    }

    public static String version() {
        String version = MiaobuServer.class.getPackage().getImplementationVersion();
        return version == null ? "0.1.0-SNAPSHOT" : version;
    }

    public synchronized void start() throws Exception {
        long begin = System.nanoTime();
        createHome();

        // Listen first: until the rest is ready, the gate answers liveness checks and "starting" pages.
        var gate = new StartupGate();
        var threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        jetty = new Server(threads);
        var http = new HttpConfiguration();
        http.setSendServerVersion(false);
        // X-Forwarded-* are believed from the configured proxies only (the client address, scheme and host)
        http.addCustomizer(new TrustedProxyCustomizer(AddressRanges.parse(config.security().trustedProxies())));
        // Site requests are answered on the selector threads (see OffloadingHandler): one per core, not Jetty's
        // default of half as many.
        int selectors = Runtime.getRuntime().availableProcessors();
        var connector = new ServerConnector(jetty, -1, selectors, new HttpConnectionFactory(http));
        connector.setName(HTTP_CONNECTOR);
        connector.setHost(config.bindHost());
        connector.setPort(config.port());
        jetty.addConnector(connector);
        if (config.tls().enabled()) {
            // the same handlers behind both; each handshake's certificate is looked up live (see SniKeyManager)
            var https = HttpsConnectors.create(jetty, http,
                    new SniKeyManager(servedCertificates, defaultCertificate()), selectors);
            https.setHost(config.bindHost());
            https.setPort(config.tls().port().getAsInt());
            jetty.addConnector(https);
        }
        jetty.setHandler(gate);
        jetty.setErrorHandler(SecurityHeadersFilter.jettyErrorHandler());
        jetty.setStopTimeout(5_000);
        jetty.start();
        long listening = System.nanoTime();

        // The slow parts of a start that need no web app (migrating the database, then unpacking and starting the
        // plugins) run on one background thread while this one builds the web app: two cores, two threads.
        var database = new Database(config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.buildConcurrency() + 8);
        var outboundHttp = new GuardedOutboundHttp(new OutboundAddressPolicy(
                AddressRanges.parse(config.security().outboundAllowedNetworks())));
        start(outboundHttp);
        var plugins = new PluginHost(config.pluginsDirectory(), config.pluginDataDirectory(),
                new PluginHost.HostFacts(version(), config.publicUrl(), config.sitesDomain(), config.port(),
                        config.sitesDirectory()),
                outboundHttp, clock, new PluginArchive.Limits(config.plugins().maxZipBytes(),
                        config.plugins().maxUnpackedBytes(), config.plugins().maxEntries(),
                        config.plugins().maxRatio()));
        started.push(database);
        started.push(plugins);
        var databaseMigrated = new CompletableFuture<Void>();
        var pluginsStarted = new CompletableFuture<Void>();
        Thread background = new Thread(() -> {
            if (runTimed("database", database::start, databaseMigrated)) {
                runTimed("plugins", () -> {
                    BundledPlugins.installInto(config.pluginsDirectory(), MiaobuServer.class.getClassLoader());
                    plugins.start();
                }, pluginsStarted);
            } else {
                pluginsStarted.cancel(false);
            }
        }, "start-background");
        background.start();

        var hostRunner = new HostBuildRunner(environment, config.cacheDirectory().resolve("build-home"),
                config.cacheDirectory().resolve("build-processes"));
        var builtIns = new java.util.ArrayList<MiaobuExtension>(List.of(hostRunner));
        builtIns.addAll(extraBuiltIns);
        var extensions = new ExtensionRegistry(plugins, builtIns);
        var liveSites = new LiveSites();
        var domainRoutes = new DomainRoutes();
        var http01 = new Http01Challenges(database.jdbi(), clock);
        this.http01Challenges = http01;
        var siteUrls = new SiteUrls(config.publicUrl(), config.sitesDomain());
        var notificationOutbox = new NotificationOutbox(database.jdbi(), extensions, config.publicUrl(), clock,
                siteUrls);
        var audit = new AuditLog(database.jdbi(), clock);
        var secretBox = new SecretBox(config.secretsDirectory().resolve("secretbox"));
        // connection tests run on a request thread; a plugin that hangs is given up on after plugins.call.timeout
        var pluginCalls = new PluginCalls(config.plugins().callTimeout());
        start(pluginCalls);
        var extensionSettings = new ExtensionSettings(database.jdbi(), extensions, secretBox, audit, clock,
                pluginCalls);
        // what each project saved for the extensions it uses, passed to their calls for the project
        var projectExtensionSettings = new ProjectExtensionSettings(database.jdbi(), extensions, extensionSettings,
                config.buildRunner(), secretBox, audit, clock);
        // after go-live the CDN of the deploy target's id refreshes the changed paths; builds follow its task 30 s
        var cdnRefresh = new CdnRefresh(extensions, cdn -> extensionSettings.valuesFor("CdnProvider", cdn),
                java.time.Duration.ofSeconds(30), java.time.Duration.ofSeconds(2));
        var deployService = new DeployService(database.jdbi(), extensions, liveSites, clock,
                (project, deployment, byUser) -> notificationOutbox.rolledBack(project.id(), project.slug(),
                        project.name(), deployment.id(), deployment.branch(), deployment.commitSha(),
                        deployment.storageLocation(), byUser), cdnRefresh,
                target -> extensionSettings.valuesFor("DeployTarget", target), projectExtensionSettings);
        SecurityConfig security = config.security();
        var accounts = new AccountService(database.jdbi(), new PasswordHasher(), config.secretsDirectory(),
                new LockoutPolicy(security.lockoutThreshold(), security.firstLock(), security.longestLock()), audit,
                clock);
        var signingKeys = new SigningKeys(config.secretsDirectory().resolve("signing-keys"), clock);
        var accessTokens = new AccessTokens(signingKeys, security.accessTokenTtl(), clock);
        var sessions = new SessionService(database.jdbi(), accessTokens, accounts, audit, security.refreshTokenTtl(),
                clock);
        var apiTokens = new ApiTokenService(database.jdbi(), accounts, clock);
        var rateLimitPolicies = RateLimitPolicies.fromConfig(security.rateLimits());
        var rateLimits = new LocalRateLimits(clock);
        var rateLimiter = new RateLimiter(rateLimits, rateLimitPolicies);
        var signIns = new SignIns(accounts, sessions, rateLimiter, audit);
        var members = new ProjectMembers(database.jdbi(), accounts, audit, clock);
        var projects = new ProjectService(database.jdbi(), extensions, liveSites, "node", config.deployTarget(),
                security.localRepositoriesAllowed(), members, clock,
                source -> extensionSettings.valuesFor("SourceProvider", source));
        var variables = new ProjectVariables(database.jdbi(), secretBox, audit, clock);
        var sourceCredentials = new SourceCredentials(database.jdbi(), secretBox);
        var secretRotation = new SecretRotation(database.jdbi(), secretBox, SECRET_COLUMNS);
        var logs = new BuildLogs(config.logsDirectory());
        // stage time limits, the build heartbeat and watchdog, and housekeeping
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "timer");
            t.setDaemon(true);
            return t;
        });
        start(() -> { scheduler.shutdownNow(); });
        // retention may spend a while deleting files: its own thread keeps the stage alarms above on time
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retention");
            t.setDaemon(true);
            return t;
        });
        start(() -> { housekeeping.shutdownNow(); });
        var retention = new RetentionService(database.jdbi(), extensions, extensionSettings,
                projectExtensionSettings, deployService, logs,
                config.workspacesDirectory(), config.retention(), housekeeping, clock);
        var diskUsage = new DiskUsage(config.home(), config.workspacesDirectory(), config.cacheDirectory(),
                config.logsDirectory(), config.sitesDirectory(), config.dbUrl(), clock);
        var buildLimits = new BuildLimits.Store(database.jdbi());
        // copies for the next build are made in the background, one at a time
        ExecutorService cacheCopies = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dependency-cache");
            t.setDaemon(true);
            return t;
        });
        start(() -> { cacheCopies.shutdownNow(); });
        var dependencyCache = new DependencyCache(config.cacheDirectory().resolve("dependencies"),
                config.dependencyCacheBytes(), clock, cacheCopies);
        var runners = new BuildRunners(extensions, extensionSettings, projectExtensionSettings, hostRunner,
                config.buildRunner(),
                config.buildRunnerFallback());
        var pipeline = new BuildPipeline(database.jdbi(), extensions, deployService, logs,
                config.workspacesDirectory(),
                new BuildTimeouts(config.cloneTimeout(), config.installTimeout(), config.buildTimeout(),
                        config.uploadTimeout()),
                buildLimits, variables, runners, scheduler, extensionSettings, clock, retention, dependencyCache,
                new NodeVersion(environment, config.buildRunner()), sourceCredentials, projectExtensionSettings);
        var buildQueue = new DatabaseBuildQueue(database.jdbi(), clock);
        String nodeId = NodeIdentity.of(config.home());
        var executor = new BuildExecutor(buildQueue, nodeId, BuildQueue.DEFAULT_SILENCE,
                scheduler, pipeline, config.buildConcurrency(), clock);
        var builds = new BuildService(database.jdbi(), buildQueue, executor);
        // the event streams of the build logs, pushed by a few threads of their own (no thread per client)
        var logStreams = new LogStreams(logs, builds::statusOf);
        start(logStreams);
        // previews of pull requests and branches, the sweep of stale ones, and commit statuses at the source host
        var projectSources = new ProjectSources(extensions, extensionSettings, projectExtensionSettings,
                sourceCredentials);
        var previews = new Previews(database.jdbi(), builds, deployService, projectSources, siteUrls, audit, clock);
        var previewSweep = new PreviewSweep(database.jdbi(), previews, projectSources,
                config.previewSweepInterval());
        var commitStatuses = new CommitStatusReporter(database.jdbi(), projectSources, siteUrls, config.publicUrl(),
                java.time.Duration.ofSeconds(1));
        // webhooks: one per project at its source host, every delivery recorded
        var projectWebhooks = new ProjectWebhooks(database.jdbi(), secretBox, projectSources, config.publicUrl());
        var webhookLog = new WebhookDeliveryLog(database.jdbi(), clock);
        var webhookReceiver = new WebhookReceiver(database.jdbi(), extensions, extensionSettings,
                projectExtensionSettings, projectWebhooks, webhookLog,
                new WebhookHandler(database.jdbi(), builds, previews));
        var repositoryImports = new RepositoryImports(database.jdbi(), extensions, extensionSettings,
                sourceCredentials, projects, projectWebhooks, builds, config.workspacesDirectory(), "node");
        var domainConfig = config.domains();
        String publicHost = config.publicUrl().getHost() == null ? ""
                : config.publicUrl().getHost().toLowerCase(java.util.Locale.ROOT);
        // what the certificate service issues or takes is served by this node's TLS connector at once
        var tlsEndpoint = new CertificateService.TlsEndpoint() {
            public void serve(String host, java.security.PrivateKey key,
                              List<java.security.cert.X509Certificate> chain) {
                servedCertificates.put(host, key, chain);
            }

            public void stopServing(String host) {
                servedCertificates.remove(host);
            }
        };
        // TLS certificates of custom domains: ordered, renewed and installed where the domain is served
        var certificates = new CertificateService(database.jdbi(), extensions, extensionSettings::valuesFor, http01,
                secretBox, tlsEndpoint, config.tls().port().isPresent(),
                new CertificateEvents(notificationOutbox, projects, clock), audit, config.certificates(), nodeId,
                clock);
        var customDomains = new CustomDomains(database.jdbi(),
                new DnsCheck(DnsResolvers.of(domainConfig.dnsResolvers(), java.time.Duration.ofSeconds(5)),
                        java.util.Set.copyOf(domainConfig.addresses())),
                new CdnDomains(extensions, cdn -> extensionSettings.valuesFor("CdnProvider", cdn)),
                domainRoutes, config.sitesDomain(), java.util.Set.of(publicHost), domainConfig, audit,
                (projectId, host, active, reason) -> {
                    if (active) {
                        certificates.wake();
                    }
                    try {
                        var project = projects.get(projectId);
                        notificationOutbox.store(new io.miaobu.api.notify.NotificationEvent.DomainChecked(
                                clock.instant(), notificationOutbox.projectRef(project.id(), project.slug(),
                                project.name()), host, active, reason));
                    } catch (RuntimeException e) {
                        LOG.warn("Could not record the check of {}: {}", host, e.toString());
                    }
                }, clock);
        var remover = new ProjectRemover(database.jdbi(), projects, builds, logs, extensions, liveSites,
                dependencyCache, List.of(project -> projectWebhooks.remove(project),
                        project -> customDomains.forgetProject(project.id())),
                target -> extensionSettings.valuesFor("DeployTarget", target), projectExtensionSettings);

        // notifications: deployment status changes and other events, sent on their own threads
        var notificationChannels = new NotificationChannels(database.jdbi(), extensions, extensionSettings, audit,
                clock);
        var dispatcher = new NotificationDispatcher(database.jdbi(), notificationOutbox, extensions,
                extensionSettings, config.notifications(), nodeId, clock);
        var notificationDeliveries = new NotificationDeliveries(database.jdbi(), audit, clock, dispatcher::wake);
        var userEmails = new UserEmails(database.jdbi(), audit);
        var channelSupport = new ChannelApiSupport(notificationChannels, notificationDeliveries, dispatcher,
                userEmails, extensionSettings);

        var themes = new ThemeManager(config.theme(), MiaobuServer.class.getClassLoader());
        boolean https = "https".equals(config.publicUrl().getScheme());
        var csrf = CsrfTokens.fromKeyFile(config.secretsDirectory().resolve("csrf.key"));
        var pages = new PageRenderer(themes, csrf, version(), config.sitesDomain(), https);
        var cookies = new SessionCookies(https);
        var identityProviders = new IdentityProviders(extensions, extensionSettings);
        var externalIdentities = new ExternalIdentities(database.jdbi(), accounts, sourceCredentials, audit, clock);
        var projectLookup = new ProjectLookup(database.jdbi());
        var channelPages = new ChannelPages(notificationChannels, channelSupport, pages);
        // the plugin manager: installs, upgrades and removals while the server runs, and the signed update site
        var updateSite = new UpdateSite(config.plugins().updateSite().map(UpdateSite::location).orElse(null),
                config.plugins().updateSitePublicKey().map(UpdateSite::publicKey).orElse(null),
                config.plugins().maxZipBytes());
        var pluginManagement = new PluginManagement(plugins, extensions, updateSite, database.jdbi(), audit,
                failed -> notificationOutbox.store(new io.miaobu.api.notify.NotificationEvent.PluginFailed(
                        clock.instant(), failed.id(), failed.error())));
        var previewPages = new PreviewPages(previews, projects, pages);

        var resources = new ResourceConfig()
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                // every feature is registered below by name; looking them up on the class path costs start-up time
                .property(ServerProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(ServerProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .register(org.glassfish.jersey.media.sse.SseFeature.class)
                .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true)
                .register(JacksonFeature.withoutExceptionMappers())
                .register(new JsonMapper())
                .register(new ClientAddress())
                .register(new HttpsEnforcementFilter(config.publicUrl()))
                .register(new CorsFilter(security.corsOrigins()))
                .register(new RateLimitFilter(rateLimiter))
                .register(new AccessFilter(accessTokens, sessions, apiTokens, accounts, members, projectLookup,
                        cookies))
                .register(new CsrfFilter(csrf, config.publicUrl()))
                .register(new AuditedFilter(audit, projectLookup))
                .register(new SecurityHeadersFilter())
                .register(new ErrorMapper(pages))
                .register(new StaticResource(themes))
                .register(new HealthResource(database, plugins, config.home()))
                .register(new AuthApi(signIns, sessions))
                .register(new AuthPages(accounts, signIns, sessions, cookies, pages, identityProviders))
                .register(new ExternalSignInPages(identityProviders, externalIdentities,
                        new SignInAttempts(secretBox, https, clock), accounts, sessions, cookies, pages, audit,
                        config.publicUrl()))
                .register(new ConnectedAccountsPages(externalIdentities, identityProviders, pages))
                .register(new IdentitiesApi(externalIdentities, identityProviders))
                .register(new AccountApi(accounts, sessions, apiTokens, audit, userEmails))
                .register(new AccountPages(accounts, sessions, apiTokens, audit, pages, clock, externalIdentities,
                        identityProviders))
                .register(new UsersAdminApi(accounts, sessions, clock))
                .register(new UsersAdminPages(accounts, sessions, pages, clock))
                .register(new AuditPage(audit, pages))
                .register(new AuditApi(audit))
                .register(new KeyRotationApi(secretRotation, signingKeys, security.accessTokenTtl(), audit))
                .register(new ProjectsApi(projects, remover, builds, buildLimits, dependencyCache, siteUrls))
                .register(new ProjectPages(projects, remover, builds, buildLimits, dependencyCache, database.jdbi(), pages,
                        siteUrls,
                        clock, previewPages, repositoryImports::sources, projectExtensionSettings))
                .register(new ProjectExtensionSettingsApi(projectExtensionSettings, projects))
                .register(new ProjectExtensionSettingsPages(projectExtensionSettings, projects, pages, siteUrls))
                .register(new PreviewsApi(previews, projects))
                .register(new PreviewSettingsApi(previews, projects))
                .register(previewPages)
                .register(new SourcesApi(repositoryImports))
                .register(new ImportPages(repositoryImports, extensions, pages))
                .register(new WebhookPages(projects, projectWebhooks, webhookLog, webhookReceiver, pages, siteUrls))
                .register(new HooksResource(webhookReceiver))
                .register(new UnmatchedDeliveriesApi(webhookLog))
                .register(new WebhookDeliveriesApi(projects, projectWebhooks, webhookLog, webhookReceiver))
                .register(new QueueApi(builds))
                .register(new QueuePage(builds, pages, clock))
                .register(new MembersApi(members, projects))
                .register(new MembersPages(members, projects, pages, siteUrls))
                .register(new VariablesApi(variables, projects))
                .register(new VariablesPages(variables, projects, pages, siteUrls))
                .register(new DeploymentsApi(builds, projects, deployService, logs, retention, logStreams))
                .register(new DeploymentPages(builds, projects, deployService, logs, retention, pages, siteUrls,
                        clock))
                .register(new DomainsApi(customDomains, projects))
                .register(new CertificatesApi(certificates))
                .register(new CertificatePages(certificates, projects, pages, siteUrls, clock))
                .register(new CertificatesAdminApi(certificates))
                .register(new CertificateAdminPages(certificates, pages, clock))
                .register(new DomainsPages(customDomains, projects, pages, siteUrls, domainConfig,
                        projectId -> certificates.store().forProject(projectId).stream().collect(
                                java.util.stream.Collectors.toMap(c -> c.domainId(), c -> c.status().name()))))
                .register(new DiskApi(diskUsage))
                .register(new DiskPage(diskUsage, config.retention(), pages))
                .register(new ExtensionSettingsResource(extensionSettings, pages))
                .register(new PluginsPage(pluginManagement, pages, config.plugins().maxZipBytes()))
                .register(new PluginsApi(pluginManagement))
                .register(new ProjectNotificationsApi(notificationChannels, channelSupport))
                .register(new AccountNotificationsApi(notificationChannels, channelSupport, members))
                .register(new AdminNotificationsApi(notificationChannels, channelSupport))
                .register(new DeadLettersApi(notificationDeliveries))
                .register(new NotifiersApi(channelSupport))
                .register(new ProjectNotificationPages(channelPages, projects, pages, siteUrls))
                .register(new AccountNotificationPages(channelPages, notificationChannels, userEmails, pages))
                .register(new AdminNotificationPages(channelPages, notificationChannels, notificationDeliveries,
                        channelSupport, pages));
        this.webApplication = resources;
        long wiringDone = System.nanoTime();
        JettyHttpContainer jersey = ContainerFactory.createContainer(JettyHttpContainer.class, resources);
        long webDone = System.nanoTime();

        awaitStarted(databaseMigrated);
        accounts.prepareFirstRun(config.initialAdminUser(), config.initialAdminPassword());
        LOG.debug("{} stored secrets registered for redaction from the log",
                secretRotation.registerStoredSecretsForRedaction());
        deployService.loadLiveSites();
        customDomains.loadRoutes();
        certificates.loadServed();
        awaitStarted(pluginsStarted);
        for (PluginHost.PluginInfo plugin : plugins.plugins()) {
            if (plugin.state().equals("FAILED")) {
                notificationOutbox.store(new io.miaobu.api.notify.NotificationEvent.PluginFailed(clock.instant(),
                        plugin.id(), plugin.error()));
            }
        }
        long backgroundDone = System.nanoTime();

        // ACME HTTP-01 answers on every host come first; the site server leaves their path to the handler behind it
        gate.open(new Handler.Sequence(new SiteServer(liveSites, config.sitesDomain(), domainRoutes,
                        config.tls().redirects() ? servedCertificates : HttpsHosts.NONE, config.tls().publicPort()),
                new OffloadingHandler(new Handler.Sequence(new AcmeChallengeHandler(http01), jersey))));

        runners.removeOrphans();
        int orphans = hostRunner.killOrphans(); // before any new build starts
        if (orphans > 0) {
            LOG.warn("Killed {} build process groups a previous run of the server left behind", orphans);
        }
        start(dispatcher);
        start(executor);
        start(retention);
        start(previewSweep);
        start(commitStatuses);
        start(new DomainCheckSchedule(customDomains, domainConfig.checkInterval()));
        start(new CertificateRenewals(certificates, config.certificates().checkInterval()));
        // ended sessions and spent refresh tokens are kept a day for the account page and reuse detection
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                int purged = sessions.purgeEnded();
                if (purged > 0) {
                    LOG.debug("Purged {} ended sessions", purged);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not purge ended sessions: {}", e.getMessage());
            }
        }, 1, 60, java.util.concurrent.TimeUnit.MINUTES);
        // the webhook delivery log keeps 90 days (and always each project's latest 200); claims a week
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                var now = clock.instant();
                int purged = webhookLog.purgeBefore(now.minus(java.time.Duration.ofDays(90)), 200)
                        + webhookLog.purgeClaimsBefore(now.minus(java.time.Duration.ofDays(7)));
                if (purged > 0) {
                    LOG.debug("Purged {} old webhook deliveries and claims", purged);
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not purge old webhook deliveries: {}", e.getMessage());
            }
        }, 5, 60, java.util.concurrent.TimeUnit.MINUTES);
        long end = System.nanoTime();
        LOG.info("Miaobu {} is up at {} (listening on {}:{}{}) in {} ms; sites at *.{}", version(),
                config.publicUrl(), config.bindHost(), port(), httpsPort() < 0 ? "" : ", HTTPS on " + httpsPort(),
                (end - begin) / 1_000_000, config.sitesDomain());
        LOG.debug("Start-up: listening after {} ms, wiring {} ms, web app {} ms, then waited {} ms for database and"
                        + " plugins, {} ms to open", (listening - begin) / 1_000_000, (wiringDone - listening) / 1_000_000,
                (webDone - wiringDone) / 1_000_000, (backgroundDone - webDone) / 1_000_000,
                (end - backgroundDone) / 1_000_000);
    }

    /** Runs one part of the start-up, reporting how it went through {@code outcome}. */
    private static boolean runTimed(String name, ThrowingRunnable step, CompletableFuture<Void> outcome) {
        try {
            long begin = System.nanoTime();
            step.run();
            LOG.debug("Started {} in {} ms", name, (System.nanoTime() - begin) / 1_000_000);
            outcome.complete(null);
            return true;
        } catch (Throwable e) {
            outcome.completeExceptionally(e);
            return false;
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void awaitStarted(CompletableFuture<Void> start) throws Exception {
        try {
            start.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The Jersey application with every page and API resource, for tests that walk its routes. */
    public ResourceConfig webApplication() {
        return webApplication;
    }

    /**
     * The core's ACME HTTP-01 solver, answering on every host this server serves: what the certificate code passes to
     * {@code CertificateIssuer}s. Null before {@link #start()}.
     */
    public Http01Challenges http01Solver() {
        return http01Challenges;
    }

    /** The port actually bound for plain HTTP. */
    public int port() {
        return boundPort(HTTP_CONNECTOR);
    }

    /** The port actually bound for HTTPS; -1 when TLS is off ({@code tls.port} not set). */
    public int httpsPort() {
        return boundPort(HttpsConnectors.NAME);
    }

    /**
     * The certificates the HTTPS connector presents, by host: the certificate service puts issued and uploaded ones
     * here, and the next handshake for the host presents them. Also decides which site hosts plain HTTP redirects to
     * HTTPS. Available from construction; holds nothing the server persists.
     */
    public ServedCertificates servedCertificates() {
        return servedCertificates;
    }

    private int boundPort(String connectorName) {
        for (var connector : jetty.getConnectors()) {
            if (connectorName.equals(connector.getName()) && connector instanceof ServerConnector bound) {
                return bound.getLocalPort();
            }
        }
        return -1;
    }

    /**
     * What handshakes get for names without a certificate of their own: the configured PEM files (checked by the
     * configuration loader), else a self-signed certificate for the public host made now.
     */
    private CertifiedKey defaultCertificate() {
        var tls = config.tls();
        if (tls.certificate().isPresent() && tls.key().isPresent()) {
            try {
                return PemFiles.read(tls.certificate().get(), tls.key().get());
            } catch (IllegalArgumentException e) {
                throw new ConfigException("tls.certificate / tls.key: " + e.getMessage());
            }
        }
        String host = config.publicUrl().getHost() == null ? "localhost" : config.publicUrl().getHost();
        return SelfSignedCertificate.generate(host.toLowerCase(java.util.Locale.ROOT), clock);
    }

    public synchronized void stop() {
        if (jetty != null) {
            try {
                jetty.stop();
            } catch (Exception e) {
                LOG.warn("Jetty did not stop cleanly", e);
            }
        }
        while (!started.isEmpty()) {
            Managed managed = started.pop();
            try {
                managed.stop();
            } catch (Exception e) {
                LOG.warn("{} did not stop cleanly", managed, e);
            }
        }
    }

    private void start(Managed managed) throws Exception {
        managed.start();
        started.push(managed);
    }

    private void start(Runnable stopAction) {
        started.push(new Managed() {
            public void start() {
            }

            public void stop() {
                stopAction.run();
            }
        });
    }

    private void createHome() throws IOException {
        for (Path directory : List.of(config.home(), config.pluginsDirectory(), config.workspacesDirectory(),
                config.logsDirectory(), config.sitesDirectory(), config.secretsDirectory(), config.cacheDirectory(),
                config.pluginDataDirectory())) {
            Files.createDirectories(directory);
        }
    }
}
