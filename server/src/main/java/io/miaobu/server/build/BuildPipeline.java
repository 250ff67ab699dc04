package io.miaobu.server.build;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.Builder;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.build.cache.CacheKey;
import io.miaobu.server.build.cache.DependencyCache;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.files.FileTrees;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSnapshot;
import io.miaobu.server.plugin.Extensions;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.project.ProjectVariables;
import io.miaobu.server.retention.RetentionService;
import io.miaobu.server.secrets.SecretRedactor;
import io.miaobu.server.source.SourceCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one claimed deployment through its stages on the calling (build) thread: check out, build, publish, go
 * live. Whatever happens, the deployment ends in a final status, its log is closed and its workspace removed; a build
 * that fails or is cancelled never changes what is live.
 */
public final class BuildPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(BuildPipeline.class);

    private final Jdbi jdbi;
    private final DeploymentDao deployments;
    private final ProjectDao projects;
    private final ExtensionRegistry extensions;
    private final DeployService deployService;
    private final BuildLogs logs;
    private final Path workspaces;
    private final BuildTimeouts defaultTimeouts;
    private final BuildLimits.Store limits;
    private final ProjectVariables variables;
    private final BuildRunners runners;
    private final ScheduledExecutorService scheduler;
    private final ExtensionSettings settings;
    /** What each project saved for the extensions it uses. */
    private final ProjectExtensionValues projectSettings;
    private final Clock clock;
    private final RetentionService retention;
    private final DependencyCache dependencyCache;
    /** The major version of the node builds run with: part of the dependency cache's key. */
    private final Supplier<String> nodeVersions;
    /** The token of the user who connected the project to its source host, when there is one. */
    private final SourceCredentials sourceCredentials;

    public BuildPipeline(Jdbi jdbi, ExtensionRegistry extensions, DeployService deployService, BuildLogs logs,
                         Path workspaces, BuildTimeouts defaultTimeouts, BuildLimits.Store limits,
                         ProjectVariables variables, BuildRunners runners,
                         ScheduledExecutorService scheduler, ExtensionSettings settings, Clock clock,
                         RetentionService retention, DependencyCache dependencyCache,
                         Supplier<String> nodeVersions, SourceCredentials sourceCredentials,
                         ProjectExtensionValues projectSettings) {
        this.sourceCredentials = sourceCredentials;
        this.projectSettings = projectSettings;
        this.dependencyCache = dependencyCache;
        this.nodeVersions = nodeVersions;
        this.jdbi = jdbi;
        this.settings = settings;
        this.deployments = jdbi.onDemand(DeploymentDao.class);
        this.projects = jdbi.onDemand(ProjectDao.class);
        this.extensions = extensions;
        this.deployService = deployService;
        this.logs = logs;
        this.workspaces = workspaces;
        this.defaultTimeouts = defaultTimeouts;
        this.limits = limits;
        this.variables = variables;
        this.runners = runners;
        this.scheduler = scheduler;
        this.clock = clock;
        this.retention = retention;
    }

    /**
     * Runs a deployment the executor has claimed (its status is CLONING). The extensions it uses are the ones running
     * when it starts: a plugin upgraded, disabled or uninstalled meanwhile changes the next build, not this one.
     */
    public void run(long deploymentId, BuildControl control) {
        Deployment deployment = deployments.findById(deploymentId).orElseThrow();
        Project project = projects.findById(deployment.projectId()).orElse(null);
        // the log first: followers of a claimed build expect its status from the log as soon as it is CLONING
        try (LiveLog log = logs.open(deploymentId); ExtensionSnapshot pinned = extensions.snapshot()) {
            recordStatus(deploymentId, DeploymentStatus.CLONING, log);
            if (project == null) {
                finish(deploymentId, DeploymentStatus.FAILED, "The project was deleted.", log);
                return;
            }
            Path workspace = workspaces.resolve(Long.toString(deploymentId));
            try {
                runStages(project, deployment, workspace, log, control, pinned);
                finish(deploymentId, DeploymentStatus.LIVE, null, log);
            } catch (NotLiveException e) {
                // published, but there is nothing (any more) for it to go live as: it ends cancelled
                log.warn(e.getMessage());
                finish(deploymentId, DeploymentStatus.CANCELLED, e.getMessage(), log);
            } catch (InterruptedException | CancelledException e) {
                Thread.interrupted();
                String reason = control.cancelReason().orElse("Cancelled.");
                log.warn(reason);
                finish(deploymentId, DeploymentStatus.CANCELLED, reason, log);
            } catch (BuildFailure e) {
                log.error(e.getMessage());
                finish(deploymentId, DeploymentStatus.FAILED, e.getMessage(), log);
            } catch (RuntimeException e) {
                String reference = UUID.randomUUID().toString().substring(0, 8);
                LOG.error("Deployment {} failed unexpectedly (reference {})", deploymentId, reference, e);
                String message = "Miaobu failed unexpectedly; an admin can find reference " + reference
                        + " in the server log.";
                log.error(message);
                finish(deploymentId, DeploymentStatus.FAILED, message, log);
            } finally {
                Thread.interrupted();
                deleteRecursively(workspace);
            }
        }
        // the build has ended and its log is closed
        logs.compress(deploymentId);
        retention.runFor(project.id());
    }

    private void runStages(Project project, Deployment deployment, Path workspace, LiveLog log, BuildControl control,
                           Extensions pinned)
            throws InterruptedException, BuildFailure, CancelledException, NotLiveException {
        long id = deployment.id();
        BuildLimits buildLimits = limits.get(project.id());
        BuildTimeouts timeouts = buildLimits.applyTo(defaultTimeouts);
        // the project's variables, secrets opened: every form of every secret is masked from here on
        ProjectVariables.Resolved env = variables.resolve(project.id(), deployment.environment());
        env.secrets().values().forEach(secret -> SecretForms.of(secret).forEach(SecretRedactor::register));
        if (!deployment.trusted()) {
            // a fork's pull request runs code nobody with access to the project has reviewed
            var plain = new java.util.TreeMap<>(env.all());
            plain.keySet().removeAll(env.secrets().keySet());
            env = new ProjectVariables.Resolved(java.util.Collections.unmodifiableMap(plain), Map.of());
            log.warn("Secrets are withheld: this build is of a pull request from a fork.");
        }
        if (!env.all().isEmpty()) {
            log.info("Environment (" + deployment.environment() + "): " + String.join(", ", env.all().keySet()));
        }
        deleteRecursively(workspace);
        Path checkout = workspace.resolve("src");
        try {
            Files.createDirectories(checkout);
        } catch (IOException e) {
            throw new BuildFailure("Could not create the workspace: " + e.getMessage());
        }

        // 1. check out
        SourceProvider source = extension(pinned, SourceProvider.class, project.sourceProvider(), "source");
        Secret sourceToken = sourceCredentials.forProject(project.id()).orElse(null);
        if (sourceToken != null) {
            // the plugin passes it as a header; should any message still carry it, the log masks it
            SecretForms.of(sourceToken.reveal()).forEach(SecretRedactor::register);
        }
        var repository = new SourceRepository(project.repositoryUrl(), deployment.branch(),
                settings.valuesFor("SourceProvider", source),
                projectSettings.valuesFor(project.id(), "SourceProvider", source), sourceToken);
        Commit commit = timed(timeouts.checkout(), "Checking out the sources", control,
                () -> source.checkout(new CheckoutRequest(repository, deployment.requestedSha(), checkout), log));
        if (commit == null || commit.sha() == null) {
            throw new BuildFailure("The source plugin did not report which commit it checked out.");
        }
        if (deployment.requestedSha() != null && !deployment.requestedSha().equals(commit.sha())) {
            throw new BuildFailure("Asked for commit " + deployment.requestedSha() + " but got " + commit.sha() + ".");
        }
        deployments.recordCommit(id, commit.sha(), commit.author(), commit.message());
        control.checkNotCancelled();

        // 2. install and build: INSTALLING until the builder reports its dependencies installed, then BUILDING
        move(id, DeploymentStatus.CLONING, DeploymentStatus.INSTALLING, log);
        Path sourceDirectory = insideOf(checkout, project.rootDirectory(), "root directory");
        Builder builder = extension(pinned, Builder.class, project.builder(), "builder");
        BuildPlan detected = guard(() -> builder.detect(sourceDirectory)).orElseThrow(() -> new BuildFailure(
                "The " + builder.displayName() + " builder does not recognise this project (no package.json or"
                        + " index.html in '" + (project.rootDirectory().isEmpty() ? "/" : project.rootDirectory())
                        + "')."));
        deployments.recordDetectedPlan(id, detected);
        BuildPlan plan = detected.withOverrides(project.installCommand(), project.buildCommand(),
                project.outputDirectory());
        log.info("Framework: " + plan.framework()
                + (plan.packageManager().isEmpty() ? "" : ", package manager: " + plan.packageManager()));
        log.info("Install command: " + orNone(plan.installCommand()) + "; build command: "
                + orNone(plan.buildCommand()) + "; output directory: " + plan.outputDirectory());
        CacheKey cacheKey = null;
        if (buildLimits.dependencyCache()) {
            cacheKey = CacheKey.of(project.id(), sourceDirectory, project.rootDirectory(), plan.packageManager(),
                    nodeVersions.get());
            log.info(dependencyCache.restore(cacheKey, sourceDirectory).describe());
        }
        // saved as soon as the install succeeded, before the build command could write into node_modules
        CacheKey savedUnder = cacheKey;
        Runnable afterInstall = () -> {
            if (savedUnder != null && savedUnder.cacheable()) {
                log.info(dependencyCache.save(savedUnder, sourceDirectory).describe());
            }
            // a cancel meanwhile leaves the status alone; the build thread's interrupt carries the cancel out
            if (deployments.transition(id, DeploymentStatus.INSTALLING, DeploymentStatus.BUILDING) == 1) {
                recordStatus(id, DeploymentStatus.BUILDING, log);
            }
        };
        BuildContext context = new PipelineBuildContext(sourceDirectory, plan,
                runners.forBuild(pinned, plan, sourceDirectory, project.id(), project.slug(), deployment.trusted(),
                        log),
                environment(project, deployment, commit, env.all()), timeouts.install(), timeouts.build(),
                settings.valuesFor("Builder", builder),
                BuildRunners.trustedOnly(projectSettings.valuesFor(project.id(), "Builder", builder),
                        deployment.trusted()),
                log, afterInstall);
        BuildOutput output = guardInterruptible(() -> builder.build(context));
        Path outputDirectory = realOutputDirectory(checkout, output);
        // the repository's history is no part of a site, also when the output directory is the checkout itself
        deleteRecursively(checkout.resolve(".git"));
        control.checkNotCancelled();
        var leaked = OutputSecretScan.firstFinding(outputDirectory, env.secrets());
        if (leaked.isPresent()) {
            throw new BuildFailure("The output contains the value of the secret variable " + leaked.get().variable()
                    + " in '" + leaked.get().file() + "', so it was not published: every visitor could read it."
                    + " Keep secrets out of client code (use them only at build time), or make the variable plain.");
        }

        // 3. publish (a builder that installs nothing never reported an install: it goes from INSTALLING)
        DeploymentStatus building = deployments.findById(id).map(Deployment::status).orElse(DeploymentStatus.BUILDING);
        move(id, building == DeploymentStatus.INSTALLING ? building : DeploymentStatus.BUILDING,
                DeploymentStatus.UPLOADING, log);
        DeployTarget target = extension(pinned, DeployTarget.class, deployment.deployTarget(), "deploy target");
        PublishContext publish = new PipelinePublishContext(project.slug(), Long.toString(id), outputDirectory,
                settings.valuesFor("DeployTarget", target),
                projectSettings.valuesFor(project.id(), "DeployTarget", target), log,
                new PublishingProgress(id, deployments), project.spa());
        PublishedDeployment published = timed(timeouts.upload(), "Publishing", control,
                () -> target.publish(publish));
        deployments.recordPublication(id, published.storageRef(), published.location().toString(),
                published.fileCount(), published.totalBytes(), published.uploadedBytes());
        log.info("Published " + published.fileCount() + " files (" + published.totalBytes() + " bytes, "
                + published.uploadedBytes() + " bytes new)");
        control.checkNotCancelled();

        // 4. go live: after this point the deployment is live, so cancel no longer applies
        control.enterPointOfNoReturn();
        Thread.interrupted(); // a stage alarm that fired as its stage ended must not disturb going live
        Deployment stored = deployments.findById(id).orElseThrow();
        Project current = projects.findById(project.id()).orElse(project);
        try {
            if (stored.previewId() == null) {
                deployService.activate(current, stored, log, pinned);
                return;
            }
            switch (deployService.activatePreview(current, stored, log, pinned)) {
                case LIVE -> log.info("The preview serves deployment " + id + ".");
                case SUPERSEDED -> throw new NotLiveException("Superseded: a newer deployment of this preview went"
                        + " live first.");
                case PREVIEW_GONE -> throw new NotLiveException("The preview was removed (its pull request closed or"
                        + " its branch deleted) while this deployment was building.");
            }
        } catch (ExtensionException e) {
            throw new BuildFailure("Going live failed: " + e.getMessage());
        }
    }

    private Map<String, String> environment(Project project, Deployment deployment, Commit commit,
                                            Map<String, String> variables) {
        var env = new HashMap<String, String>(variables);
        env.put("CI", "true");
        env.put("MIAOBU", "true");
        env.put("MIAOBU_PROJECT", project.slug());
        env.put("MIAOBU_DEPLOYMENT_ID", Long.toString(deployment.id()));
        env.put("MIAOBU_BRANCH", deployment.branch());
        env.put("MIAOBU_COMMIT_SHA", commit.sha());
        env.put("MIAOBU_ENVIRONMENT", deployment.environment());
        return env;
    }

    private static <T extends io.miaobu.api.MiaobuExtension> T extension(Extensions pinned, Class<T> point, String id,
                                                                         String what) throws BuildFailure {
        return pinned.find(point, id).orElseThrow(() -> new BuildFailure("The " + what + " plugin '" + id
                + "' is not installed or not running. An admin can check the plugins page."));
    }

    private <T> T timed(Duration limit, String stage, BuildControl control, Stage<T> work)
            throws InterruptedException, BuildFailure, CancelledException {
        try (var timer = new StageTimer(scheduler, limit, Thread.currentThread())) {
            try {
                return guardInterruptible(work);
            } catch (InterruptedException e) {
                if (timer.expired() && !control.isCancelled()) {
                    throw new BuildFailure(stage + " timed out after " + limit.toSeconds() + " s.");
                }
                throw e;
            }
        }
    }

    private static <T> T guardInterruptible(Stage<T> work) throws InterruptedException, BuildFailure {
        try {
            T result = work.run();
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            return result;
        } catch (ExtensionException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            throw failureOf(e);
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException();
            }
            throw crashOf(e);
        }
    }

    private static <T> T guard(Supplier<T> work) throws BuildFailure {
        try {
            return work.get();
        } catch (ExtensionException e) {
            throw failureOf(e);
        } catch (RuntimeException e) {
            throw crashOf(e);
        }
    }

    /** A plugin that threw something other than ExtensionException: the build fails, the rest of Miaobu goes on. */
    private static BuildFailure crashOf(RuntimeException e) {
        String reference = UUID.randomUUID().toString().substring(0, 8);
        LOG.warn("A plugin failed during a build (reference {})", reference, e);
        return new BuildFailure("A plugin failed: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + " (an admin can find reference "
                + reference + " in the server log).");
    }

    /** The user sees the extension's message; operators also get its technical cause in the server log. */
    private static BuildFailure failureOf(ExtensionException e) {
        if (e.getCause() != null) {
            LOG.warn("Extension failure: {}", e.getMessage(), e.getCause());
        }
        return new BuildFailure(e.getMessage());
    }

    private void move(long id, DeploymentStatus from, DeploymentStatus to, LiveLog log) throws CancelledException {
        if (deployments.transition(id, from, to) != 1) {
            throw new CancelledException();
        }
        recordStatus(id, to, log);
    }

    private void recordStatus(long id, DeploymentStatus status, LiveLog log) {
        deployments.recordStatusChange(id, status, clock.instant());
        log.status(status);
    }

    private void finish(long id, DeploymentStatus status, String error, LiveLog log) {
        jdbi.useTransaction(handle -> {
            DeploymentDao dao = handle.attach(DeploymentDao.class);
            if (dao.finish(id, status, truncate(error), clock.instant()) == 1) {
                dao.recordStatusChange(id, status, clock.instant());
            }
        });
        log.status(status);
        if (status == DeploymentStatus.LIVE) {
            log.info("Deployment " + id + " is live.");
        }
    }

    /** The output directory with every link resolved; it must be a directory inside the checkout. */
    private static Path realOutputDirectory(Path checkout, BuildOutput output) throws BuildFailure {
        Path reported = output == null || output.directory() == null ? null : output.directory();
        if (reported == null || !Files.isDirectory(reported)) {
            throw new BuildFailure("The build produced no output directory.");
        }
        try {
            Path real = reported.toRealPath();
            if (!real.startsWith(checkout.toRealPath())) {
                throw new BuildFailure("The output directory '" + reported.getFileName()
                        + "' leads outside the repository (through a link); refusing to publish it.");
            }
            return real;
        } catch (IOException e) {
            throw new BuildFailure("The output directory cannot be read: " + e.getMessage());
        }
    }

    static Path insideOf(Path base, String relative, String what) throws BuildFailure {
        Path root = base.toAbsolutePath().normalize();
        Path resolved = root.resolve(relative == null ? "" : relative).normalize();
        if (!resolved.startsWith(root)) {
            throw new BuildFailure("The " + what + " '" + relative + "' is outside the repository.");
        }
        if (!Files.isDirectory(resolved)) {
            throw new BuildFailure("The " + what + " '" + relative + "' does not exist in the repository.");
        }
        return resolved;
    }

    private static String orNone(String command) {
        return command.isEmpty() ? "(none)" : command;
    }

    private static String truncate(String error) {
        return error == null || error.length() <= 4000 ? error : error.substring(0, 3997) + "...";
    }

    static void deleteRecursively(Path directory) {
        try {
            FileTrees.deleteRecursively(directory);
        } catch (IOException e) {
            LOG.warn("Could not remove workspace {}: {}", directory, e.getMessage());
        }
    }

    @FunctionalInterface
    private interface Stage<T> {
        T run() throws InterruptedException;
    }

    /** A preview deployment was published but does not go live: its preview went away or moved on. */
    static final class NotLiveException extends Exception {
        private static final long serialVersionUID = 1L;

        NotLiveException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** The deployment was cancelled or moved on by someone else. */
    static final class CancelledException extends Exception {
        private static final long serialVersionUID = 1L;

        CancelledException() {
            super(null, null, false, false);
        }
    }

    private record PipelineBuildContext(Path sourceDirectory, BuildPlan plan, BuildRunner runner,
                                        Map<String, String> environment, Duration installTimeout,
                                        Duration buildTimeout, ConfigValues globalSettings,
                                        ConfigValues projectSettings, TaskLog log, Runnable afterInstall)
            implements BuildContext {

        @Override
        public void dependenciesInstalled() {
            afterInstall.run();
        }
    }

    private record PipelinePublishContext(String siteKey, String deploymentKey, Path outputDirectory,
                                          ConfigValues globalSettings, ConfigValues projectSettings, TaskLog log,
                                          PublishingProgress progress, boolean singlePageApp)
            implements PublishContext {

        @Override
        public void progress(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
            progress.report(filesDone, filesTotal, bytesDone, bytesTotal);
        }
    }

    /**
     * Stores a deploy target's progress reports for the deployment page, at most one a second (and always the one that
     * says it is done); reports may come from any of the target's threads.
     */
    static final class PublishingProgress {

        private static final long INTERVAL_NANOS = 1_000_000_000L;

        private final long deploymentId;
        private final DeploymentDao deployments;
        private long lastStored = Long.MIN_VALUE;

        PublishingProgress(long deploymentId, DeploymentDao deployments) {
            this.deploymentId = deploymentId;
            this.deployments = deployments;
        }

        synchronized void report(long filesDone, long filesTotal, long bytesDone, long bytesTotal) {
            if (filesDone < 0 || filesTotal < 0 || bytesDone < 0 || bytesTotal < 0) {
                return;
            }
            long now = System.nanoTime();
            boolean done = filesDone >= filesTotal && bytesDone >= bytesTotal;
            if (!done && lastStored != Long.MIN_VALUE && now - lastStored < INTERVAL_NANOS) {
                return;
            }
            lastStored = now;
            try {
                deployments.recordProgress(deploymentId, Math.min(filesDone, filesTotal), filesTotal,
                        Math.min(bytesDone, bytesTotal), bytesTotal);
            } catch (RuntimeException e) {
                LOG.debug("Could not store the publishing progress of deployment {}: {}", deploymentId,
                        e.getMessage());
            }
        }
    }
}
