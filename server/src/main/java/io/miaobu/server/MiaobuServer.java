package io.miaobu.server;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.server.auth.AccessFilter;
import io.miaobu.server.auth.AccountService;
import io.miaobu.server.auth.AuthApi;
import io.miaobu.server.auth.AuthPages;
import io.miaobu.server.auth.CsrfFilter;
import io.miaobu.server.auth.CsrfTokens;
import io.miaobu.server.auth.PasswordHasher;
import io.miaobu.server.auth.SessionTokens;
import io.miaobu.server.boot.Managed;
import io.miaobu.server.boot.ServerConfig;
import io.miaobu.server.build.BuildExecutor;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.BuildPipeline;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.BuildTimeouts;
import io.miaobu.server.build.DeploymentPages;
import io.miaobu.server.build.DeploymentsApi;
import io.miaobu.server.build.HostBuildRunner;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.ops.HealthResource;
import io.miaobu.server.ops.StartupGate;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.plugin.BundledPlugins;
import io.miaobu.server.plugin.DefaultOutboundHttp;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.plugin.PluginsPage;
import io.miaobu.server.project.ProjectPages;
import io.miaobu.server.project.ProjectRemover;
import io.miaobu.server.project.ProjectService;
import io.miaobu.server.project.ProjectsApi;
import io.miaobu.server.site.OffloadingHandler;
import io.miaobu.server.site.SiteServer;
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

    private final ServerConfig config;
    private final Map<String, String> environment;
    private final Clock clock;
    private final Deque<Managed> started = new ArrayDeque<>();
    private Server jetty;

    public MiaobuServer(ServerConfig config, Map<String, String> environment, Clock clock) {
        this.config = config;
        this.environment = Map.copyOf(environment);
        this.clock = clock;
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
        // Site requests are answered on the selector threads (see OffloadingHandler): one per core, not Jetty's
        // default of half as many.
        var connector = new ServerConnector(jetty, -1, Runtime.getRuntime().availableProcessors(),
                new HttpConnectionFactory(http));
        connector.setHost(config.bindHost());
        connector.setPort(config.port());
        jetty.addConnector(connector);
        jetty.setHandler(gate);
        jetty.setStopTimeout(5_000);
        jetty.start();
        long listening = System.nanoTime();

        // The slow parts of a start that need no web app (migrating the database, then unpacking and starting the
        // plugins) run on one background thread while this one builds the web app: two cores, two threads.
        var database = new Database(config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.buildConcurrency() + 8);
        var plugins = new PluginHost(config.pluginsDirectory(), config.pluginDataDirectory(),
                new PluginHost.HostFacts(version(), config.publicUrl(), config.sitesDomain(), config.port(),
                        config.sitesDirectory()),
                new DefaultOutboundHttp(), clock);
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

        var hostRunner = new HostBuildRunner(environment, config.cacheDirectory().resolve("build-home"));
        var extensions = new ExtensionRegistry(plugins, List.<MiaobuExtension>of(hostRunner));
        var accounts = new AccountService(database.jdbi(), new PasswordHasher(), config.secretsDirectory(), clock);
        var tokens = new SessionTokens(config.secretsDirectory(), config.sessionTtl(), clock);
        var liveSites = new LiveSites();
        var deployService = new DeployService(database.jdbi(), extensions, liveSites, clock);
        var siteUrls = new SiteUrls(config.publicUrl(), config.sitesDomain());
        var projects = new ProjectService(database.jdbi(), extensions, liveSites, "node", "local-storage", clock);
        var logs = new BuildLogs(config.logsDirectory());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "build-stage-timer");
            t.setDaemon(true);
            return t;
        });
        start(() -> { scheduler.shutdownNow(); });
        var pipeline = new BuildPipeline(database.jdbi(), extensions, deployService, logs,
                config.workspacesDirectory(),
                new BuildTimeouts(config.cloneTimeout(), config.installTimeout(), config.buildTimeout(),
                        config.uploadTimeout()),
                () -> hostRunner, scheduler, clock);
        var executor = new BuildExecutor(database.jdbi(), pipeline, config.buildConcurrency(), clock);
        var builds = new BuildService(database.jdbi(), executor, clock);
        var remover = new ProjectRemover(database.jdbi(), projects, builds, logs, extensions, liveSites);

        var themes = new ThemeManager(config.theme(), MiaobuServer.class.getClassLoader());
        boolean https = "https".equals(config.publicUrl().getScheme());
        var csrf = new CsrfTokens(tokens.derivedKey("csrf"));
        var pages = new PageRenderer(themes, csrf, version(), config.sitesDomain(), https);

        var resources = new ResourceConfig()
                .property(ServerProperties.WADL_FEATURE_DISABLE, true)
                // every feature is registered below by name; looking them up on the class path costs start-up time
                .property(ServerProperties.FEATURE_AUTO_DISCOVERY_DISABLE, true)
                .property(ServerProperties.METAINF_SERVICES_LOOKUP_DISABLE, true)
                .register(org.glassfish.jersey.media.sse.SseFeature.class)
                .property(ServerProperties.RESPONSE_SET_STATUS_OVER_SEND_ERROR, true)
                .register(JacksonFeature.withoutExceptionMappers())
                .register(new JsonMapper())
                .register(new AccessFilter(tokens, accounts))
                .register(new CsrfFilter(csrf, config.publicUrl()))
                .register(new SecurityHeadersFilter())
                .register(new ErrorMapper(pages))
                .register(new StaticResource(themes))
                .register(new HealthResource(database, plugins, config.home()))
                .register(new AuthApi(accounts, tokens))
                .register(new AuthPages(accounts, tokens, pages, https))
                .register(new ProjectsApi(projects, remover, builds, siteUrls))
                .register(new ProjectPages(projects, remover, builds, database.jdbi(), pages, siteUrls, clock))
                .register(new DeploymentsApi(builds, projects, deployService, logs))
                .register(new DeploymentPages(builds, projects, deployService, logs, pages, siteUrls, clock))
                .register(new PluginsPage(plugins, extensions, pages));
        long wiringDone = System.nanoTime();
        JettyHttpContainer jersey = ContainerFactory.createContainer(JettyHttpContainer.class, resources);
        long webDone = System.nanoTime();

        awaitStarted(databaseMigrated);
        accounts.prepareFirstRun(config.initialAdminUser(), config.initialAdminPassword());
        deployService.loadLiveSites();
        awaitStarted(pluginsStarted);
        long backgroundDone = System.nanoTime();

        gate.open(new Handler.Sequence(new SiteServer(liveSites, config.sitesDomain()),
                new OffloadingHandler(jersey)));

        start(executor);
        long end = System.nanoTime();
        LOG.info("Miaobu {} is up at {} (listening on {}:{}) in {} ms; sites at *.{}", version(), config.publicUrl(),
                config.bindHost(), port(), (end - begin) / 1_000_000, config.sitesDomain());
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

    /** The port actually bound. */
    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
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
