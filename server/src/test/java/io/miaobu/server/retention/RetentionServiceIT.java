package io.miaobu.server.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.boot.RetentionConfig;
import io.miaobu.server.build.BuildLogs;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.build.LiveLog;
import io.miaobu.server.build.StatusChange;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.persistence.TestDatabases;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.ratelimit.MutableClock;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.web.UserFacingException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The retention service against a real database (H2 and PostgreSQL) and a deploy target that records what it is asked
 * to delete: what gets purged, what is retried, what the ten-minute sweep tidies, and pinning.
 */
class RetentionServiceIT {

    @TempDir
    Path temp;

    private final MutableClock clock = new MutableClock();
    private final RecordingTarget target = new RecordingTarget();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private Database database;
    private String schema;
    private PluginHost plugins;
    private Jdbi jdbi;
    private DeploymentDao deployments;
    private ProjectDao projects;
    private BuildLogs logs;
    private DeployService deploys;
    private RetentionService retention;

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    private void start(String kind) throws Exception {
        if (kind.equals("h2")) {
            database = TestDatabases.h2(temp.resolve("db"));
        } else {
            schema = TestDatabases.newSchemaName();
            database = TestDatabases.postgres(schema);
        }
        database.start();
        jdbi = database.jdbi();
        deployments = jdbi.onDemand(DeploymentDao.class);
        projects = jdbi.onDemand(ProjectDao.class);
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins")), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0", URI.create("http://localhost:8080/"), "localhost", 8080,
                        temp.resolve("sites")), new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()), clock);
        plugins.start();
        var extensions = new ExtensionRegistry(plugins, List.<MiaobuExtension>of(target));
        var settings = new ExtensionSettings(jdbi, extensions, new SecretBox(temp.resolve("secretbox")),
                new AuditLog(jdbi, clock), clock);
        logs = new BuildLogs(temp.resolve("logs"));
        deploys = new DeployService(jdbi, extensions, new LiveSites(), clock);
        retention = new RetentionService(jdbi, extensions, settings, ProjectExtensionValues.NONE, deploys, logs,
                workspaces(),
                new RetentionConfig(2, 3), scheduler, clock);
    }

    @AfterEach
    void stop() throws Exception {
        if (retention != null) {
            retention.stop();
        }
        scheduler.shutdownNow();
        if (plugins != null) {
            plugins.stop();
        }
        if (database != null) {
            database.stop();
        }
        if (schema != null) {
            TestDatabases.dropSchema(schema);
        }
    }

    private Path workspaces() {
        return temp.resolve("workspaces");
    }

    private long project(String slug, String deployTarget) {
        return projects.insert(new Project(0, slug, "Site " + slug, "https://example.com/" + slug + ".git", "main", "",
                "", "", "", false, "git", "node", deployTarget, null, null, clock.instant(), clock.instant()));
    }

    /** A deployment that ended in {@code status}; published (stored) when {@code published}. */
    private long deployment(long projectId, String deployTarget, DeploymentStatus status, boolean published) {
        long id = deployments.insertQueued(projectId, "manual", "main", null, deployTarget, null, clock.instant());
        if (status == DeploymentStatus.QUEUED) {
            return id;
        }
        deployments.claim(id, clock.instant());
        if (published) {
            deployments.recordPublication(id, Long.toString(id), temp.resolve("sites/" + id).toUri().toString(), 2,
                    200, 100);
        }
        if (DeploymentStatus.RUNNING.contains(status)) {
            deployments.transition(id, DeploymentStatus.CLONING, status);
        } else {
            deployments.finish(id, status, null, clock.instant());
        }
        try (LiveLog log = logs.open(id)) {
            log.info("build of " + id);
        }
        return id;
    }

    private DeploymentStatus status(long id) {
        return deployments.findById(id).orElseThrow().status();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void purgesOldDeploymentsThroughTheirDeployTargetAndRetriesAFailedDelete(String kind) throws Exception {
        start(kind);
        long p = project("shop", target.id());
        long d1 = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        long d2 = deployment(p, target.id(), DeploymentStatus.FAILED, false);
        long d3 = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        long d4 = deployment(p, target.id(), DeploymentStatus.CANCELLED, true);
        long d5 = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        long d6 = deployment(p, target.id(), DeploymentStatus.BUILDING, false);
        projects.setLiveDeployment(p, d5, clock.instant());
        retention.pin(d3);
        logs.compress(d1);
        Files.createDirectories(workspaces().resolve(d1 + "/src"));
        target.failing.add(Long.toString(d4));

        RetentionService.Outcome outcome = retention.applyTo(p);

        assertThat(outcome.purged()).isEqualTo(3);
        assertThat(List.of(status(d1), status(d2), status(d3), status(d4), status(d5), status(d6))).containsExactly(
                DeploymentStatus.PURGED, DeploymentStatus.PURGED, DeploymentStatus.LIVE, DeploymentStatus.PURGED,
                DeploymentStatus.LIVE, DeploymentStatus.BUILDING);
        assertThat(deployments.statusChanges(d1)).extracting(StatusChange::status).endsWith(DeploymentStatus.PURGED);
        assertThat(target.deleted).containsExactly(Long.toString(d1));
        assertThat(deployments.findById(d1).orElseThrow().storageRef()).as("deleted: nothing stored").isNull();
        assertThat(deployments.findById(d4).orElseThrow().storageRef()).as("delete failed").isNotNull();
        for (long purged : List.of(d1, d2, d4)) {
            assertThat(logs.fileOf(purged)).doesNotExist();
            assertThat(logs.compressedFileOf(purged)).doesNotExist();
        }
        assertThat(logs.fileOf(d3)).as("the pinned one is past the newest 3 logs").doesNotExist();
        assertThat(logs.fileOf(d5)).exists();
        assertThat(logs.fileOf(d6)).exists();
        assertThat(outcome.logsDeleted()).isEqualTo(1);
        assertThat(workspaces().resolve(Long.toString(d1))).doesNotExist();

        target.failing.clear();
        assertThat(retention.applyTo(p).purged()).isZero();
        assertThat(target.deleted).containsExactly(Long.toString(d1), Long.toString(d4));
        assertThat(deployments.findById(d4).orElseThrow().storageRef()).isNull();
        assertThat(retention.applyTo(p)).isEqualTo(new RetentionService.Outcome(0, 0));
        assertThat(target.deleted).as("nothing deleted twice").hasSize(2);

        assertThatThrownBy(() -> deploys.rollback(d1, null)).isInstanceOf(UserFacingException.class)
                .hasMessageContaining("purged by the retention policy")
                .satisfies(e -> assertThat(((UserFacingException) e).status()).isEqualTo(409));
        assertThat(deploys.unlessLive(p, d5, () -> true)).as("the live one is never changed").isFalse();
        assertThat(deploys.unlessLive(p, d3, () -> true)).isTrue();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void keepsDeploymentsWhoseDeployTargetIsNotRunning(String kind) throws Exception {
        start(kind);
        long p = project("offline", "not-installed");
        long old = deployment(p, "not-installed", DeploymentStatus.LIVE, true);
        long failed = deployment(p, "not-installed", DeploymentStatus.FAILED, false);
        deployment(p, "not-installed", DeploymentStatus.LIVE, true);
        deployment(p, "not-installed", DeploymentStatus.LIVE, true);

        assertThat(retention.applyTo(p).purged()).as("only the one with nothing stored").isEqualTo(1);
        assertThat(status(old)).isEqualTo(DeploymentStatus.LIVE);
        assertThat(status(failed)).isEqualTo(DeploymentStatus.PURGED);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void pinsAndUnpinsButRefusesToPinAPurgedDeployment(String kind) throws Exception {
        start(kind);
        long p = project("pins", target.id());
        long d1 = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        deployment(p, target.id(), DeploymentStatus.LIVE, true);
        deployment(p, target.id(), DeploymentStatus.LIVE, true);
        long d4 = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        projects.setLiveDeployment(p, d4, clock.instant());

        assertThat(retention.pin(d1).pinned()).isTrue();
        assertThat(retention.pin(d1).pinned()).as("pinning twice").isTrue();
        assertThat(retention.applyTo(p).purged()).isEqualTo(1);
        assertThat(status(d1)).isEqualTo(DeploymentStatus.LIVE);

        assertThat(retention.unpin(d1).pinned()).isFalse();
        assertThat(retention.applyTo(p).purged()).isEqualTo(1);
        assertThat(status(d1)).isEqualTo(DeploymentStatus.PURGED);
        assertThatThrownBy(() -> retention.pin(d1)).isInstanceOf(UserFacingException.class)
                .hasMessageContaining("nothing left to pin");
        assertThat(retention.unpin(d1).status()).isEqualTo(DeploymentStatus.PURGED);
        assertThatThrownBy(() -> retention.pin(999_999)).hasMessageContaining("No deployment 999999");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void runsForAProjectOnTheSchedulerWhenAsked(String kind) throws Exception {
        start(kind);
        long p = project("later", target.id());
        long d1 = deployment(p, target.id(), DeploymentStatus.FAILED, false);
        deployment(p, target.id(), DeploymentStatus.FAILED, false);
        deployment(p, target.id(), DeploymentStatus.FAILED, false);

        retention.runFor(p);
        retention.runFor(p);

        Instant deadline = Instant.now().plusSeconds(10);
        while (status(d1) != DeploymentStatus.PURGED && Instant.now().isBefore(deadline)) {
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
        assertThat(status(d1)).isEqualTo(DeploymentStatus.PURGED);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void runsNothingOnceStopped(String kind) throws Exception {
        start(kind);
        long p = project("stopped", target.id());
        long d1 = deployment(p, target.id(), DeploymentStatus.FAILED, false);
        deployment(p, target.id(), DeploymentStatus.FAILED, false);
        deployment(p, target.id(), DeploymentStatus.FAILED, false);
        retention.start();

        retention.stop();
        retention.runFor(p);
        scheduler.shutdown();

        assertThat(scheduler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(status(d1)).isEqualTo(DeploymentStatus.FAILED);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theSweepOfEveryProjectCompressesLeftoverLogsAndRemovesWhatNoDeploymentOwns(String kind) throws Exception {
        start(kind);
        long p = project("sweep", target.id());
        long ended = deployment(p, target.id(), DeploymentStatus.LIVE, true);
        long running = deployment(p, target.id(), DeploymentStatus.UPLOADING, false);
        Files.writeString(logs.fileOf(998), "a deleted project's log\n");
        Files.writeString(logs.fileOf(999), "another\n");
        logs.compress(999);
        Instant old = clock.instant().minus(Duration.ofDays(2));
        for (String name : List.of(Long.toString(running), "123456", "scratch")) {
            Path workspace = Files.createDirectories(workspaces().resolve(name));
            Files.setLastModifiedTime(workspace, FileTime.from(old));
        }
        Files.createDirectories(workspaces().resolve(Long.toString(ended)));

        retention.applyToAll();

        assertThat(logs.compressedFileOf(ended)).exists();
        assertThat(logs.fileOf(ended)).doesNotExist();
        assertThat(logs.fileOf(running)).as("still being built").exists();
        assertThat(logs.fileOf(998)).doesNotExist();
        assertThat(logs.compressedFileOf(999)).doesNotExist();
        assertThat(logs.storedLogIds()).containsExactlyInAnyOrder(ended, running);
        assertThat(workspaces().resolve(Long.toString(running))).as("its build runs").exists();
        assertThat(workspaces().resolve("123456")).doesNotExist();
        assertThat(workspaces().resolve("scratch")).doesNotExist();
        assertThat(workspaces().resolve(Long.toString(ended))).as("younger than a day").exists();
    }

    /** A deploy target that remembers what it deleted, and refuses the keys it is told to. */
    static final class RecordingTarget implements DeployTarget {

        final List<String> deleted = new java.util.concurrent.CopyOnWriteArrayList<>();
        final Set<String> failing = ConcurrentHashMap.newKeySet();

        @Override
        public String id() {
            return "recording";
        }

        @Override
        public String displayName() {
            return "Recording";
        }

        @Override
        public PublishedDeployment publish(PublishContext context) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ActivationResult activate(SiteDeployment deployment) {
            return ActivationResult.NOTHING_TO_PURGE;
        }

        @Override
        public void delete(SiteDeployment deployment) {
            String key = deployment.deployment().storageRef();
            if (failing.contains(key)) {
                throw new ExtensionException("the storage refused to delete " + key);
            }
            deployed(deployment);
            deleted.add(key);
        }

        private static void deployed(SiteDeployment deployment) {
            assertThat(deployment.siteKey()).isNotBlank();
            assertThat(deployment.deployment().location().getScheme()).isEqualTo("file");
        }
    }
}
