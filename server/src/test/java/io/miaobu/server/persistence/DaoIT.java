package io.miaobu.server.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.auth.Role;
import io.miaobu.server.auth.UserDao;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every migration and every DAO query, on H2 and on PostgreSQL. */
class DaoIT {

    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30.123456Z");

    @TempDir
    static Path temp;

    private Database database;
    private String schema;

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    private Jdbi open(String kind) throws Exception {
        if (kind.equals("h2")) {
            database = TestDatabases.h2(temp.resolve("h2-" + System.nanoTime()));
        } else {
            schema = TestDatabases.newSchemaName();
            database = TestDatabases.postgres(schema);
        }
        database.start();
        return database.jdbi();
    }

    @AfterEach
    void close() throws Exception {
        if (database != null) {
            database.stop();
        }
        if (schema != null) {
            TestDatabases.dropSchema(schema);
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void migratesAndStoresUsers(String kind) throws Exception {
        UserDao users = open(kind).onDemand(UserDao.class);

        long id = users.insert("ada", "hash", Role.ADMIN, NOW, NOW);

        assertThat(users.count()).isEqualTo(1);
        var user = users.findByUsername("ada").orElseThrow();
        assertThat(user.id()).isEqualTo(id);
        assertThat(user.role()).isEqualTo(Role.ADMIN);
        assertThat(user.createdAt()).isEqualTo(NOW.truncatedTo(ChronoUnit.MICROS));
        assertThat(users.findById(id)).contains(user);
        assertThat(users.list()).containsExactly(user);
        assertThatThrownBy(() -> users.insert("ada", "other", Role.USER, NOW, NOW)).hasMessageFindingMatch("(?i)users_username_key");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void storesProjectsWithUniqueSlugs(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        ProjectDao projects = jdbi.onDemand(ProjectDao.class);

        long id = projects.insert(project("site"));

        Project stored = projects.findById(id).orElseThrow();
        assertThat(stored.slug()).isEqualTo("site");
        assertThat(stored.liveDeploymentId()).isNull();
        assertThat(projects.findBySlug("site")).contains(stored);
        assertThat(projects.countBySlug("site")).isEqualTo(1);
        assertThat(projects.countBySlug("other")).isZero();
        assertThatThrownBy(() -> projects.insert(project("site"))).hasMessageFindingMatch("(?i)projects_slug_key");

        var changed = new Project(id, "site", "Renamed", stored.repositoryUrl(), "dev", "web", "npm i",
                "npm run b", "out", true, "git", "node", "local-storage", null, null, stored.createdAt(), NOW);
        assertThat(projects.updateSettings(changed)).isEqualTo(1);
        Project updated = projects.findById(id).orElseThrow();
        assertThat(updated.name()).isEqualTo("Renamed");
        assertThat(updated.branch()).isEqualTo("dev");
        assertThat(updated.spa()).isTrue();
        assertThat(updated.outputDirectory()).isEqualTo("out");
        assertThat(projects.list()).hasSize(1);
        assertThat(projects.delete(id)).isEqualTo(1);
        assertThat(projects.findById(id)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void queuesClaimsAndFinishesDeployments(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        ProjectDao projects = jdbi.onDemand(ProjectDao.class);
        DeploymentDao deployments = jdbi.onDemand(DeploymentDao.class);
        long a = projects.insert(project("a"));
        long b = projects.insert(project("b"));

        long a1 = deployments.insertQueued(a, "manual", "main", null, "local-storage", null, NOW);
        long a2 = deployments.insertQueued(a, "manual", "main", null, "local-storage", null, NOW);
        long b1 = deployments.insertQueued(b, "manual", "main", "0123456789012345678901234567890123456789",
                "local-storage", null, NOW);

        assertThat(ids(deployments.claimable(10))).containsExactly(a1, a2, b1);
        assertThat(deployments.claim(a1, NOW)).isEqualTo(1);
        assertThat(deployments.claim(a1, NOW)).as("claimed twice").isZero();
        assertThat(ids(deployments.claimable(10))).as("project a is busy").containsExactly(b1);
        assertThat(ids(deployments.listRunning())).containsExactly(a1);

        assertThat(deployments.transition(a1, DeploymentStatus.CLONING, DeploymentStatus.BUILDING)).isEqualTo(1);
        assertThat(deployments.transition(a1, DeploymentStatus.CLONING, DeploymentStatus.BUILDING)).isZero();
        deployments.recordCommit(a1, "abc", "Ada", "Message\n\nbody");
        deployments.recordPublication(a1, "ref", "file:/tmp/x", 3, 300, 100);
        assertThat(deployments.finish(a1, DeploymentStatus.LIVE, null, NOW)).isEqualTo(1);
        assertThat(deployments.finish(a1, DeploymentStatus.FAILED, "late", NOW)).as("final stays final").isZero();
        Deployment done = deployments.findById(a1).orElseThrow();
        assertThat(done.status()).isEqualTo(DeploymentStatus.LIVE);
        assertThat(done.commitTitle()).isEqualTo("Message");
        assertThat(done.isPublished()).isTrue();
        assertThat(done.uploadedBytes()).isEqualTo(100);
        assertThat(done.startedAt()).isNotNull();

        assertThat(deployments.cancelQueued(a2, "Cancelled by ada.", NOW)).isEqualTo(1);
        assertThat(deployments.cancelQueued(a2, "again", NOW)).isZero();
        assertThat(deployments.findById(a2).orElseThrow().error()).isEqualTo("Cancelled by ada.");

        deployments.recordStatusChange(a1, DeploymentStatus.QUEUED, NOW);
        deployments.recordStatusChange(a1, DeploymentStatus.LIVE, NOW.plusSeconds(1));
        assertThat(deployments.statusChanges(a1)).extracting(c -> c.status())
                .containsExactly(DeploymentStatus.QUEUED, DeploymentStatus.LIVE);

        assertThat(ids(deployments.latestOfProjects(List.of(a, b)))).containsExactlyInAnyOrder(a2, b1);
        assertThat(ids(deployments.findByIds(List.of(a1, b1)))).containsExactlyInAnyOrder(a1, b1);
        assertThat(ids(deployments.listByProject(a, 1))).containsExactly(a2);

        assertThat(projects.setLiveDeployment(a, a1, NOW)).isEqualTo(1);
        assertThat(projects.listWithLiveDeployment()).extracting(Project::id).containsExactly(a);
        projects.delete(a);
        assertThat(deployments.findById(a1)).as("deleted with its project").isEmpty();
    }

    private static List<Long> ids(List<Deployment> deployments) {
        return deployments.stream().map(Deployment::id).toList();
    }

    private static Project project(String slug) {
        return new Project(0, slug, "Site " + slug, "https://example.com/" + slug + ".git", "main", "", "", "", "",
                false, "git", "node", "local-storage", null, null, NOW, NOW);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void theBuildQueueClaimsWithinLimitsSupersedesAndRecoversWhatANodeLeft(String kind) throws Exception {
        Jdbi jdbi = open(kind);
        var clock = new java.util.concurrent.atomic.AtomicReference<>(NOW);
        java.time.Clock moving = new java.time.Clock() {
            public java.time.ZoneId getZone() {
                return java.time.ZoneOffset.UTC;
            }

            public java.time.Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            public Instant instant() {
                return clock.get();
            }
        };
        var queue = new io.miaobu.server.build.DatabaseBuildQueue(jdbi, moving);
        long project = jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO projects (slug, name, repository_url, branch, source_provider, builder, deploy_target,
                                              created_at, updated_at)
                        VALUES ('q', 'Q', '/repo', 'main', 'git', 'node', 'local-storage', :at, :at)""")
                .bind("at", NOW).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        java.util.function.LongFunction<io.miaobu.server.build.Deployment> push = retryOf -> queue.enqueue(
                new io.miaobu.server.build.BuildQueue.NewDeployment(project, "push", "main", null, "local-storage",
                        null, "production", null));

        var first = push.apply(0);
        assertThat(queue.claim("node-a", 5)).extracting(io.miaobu.server.build.Deployment::id)
                .containsExactly(first.id());
        var second = push.apply(0);
        var third = push.apply(0);
        String secondStatus = jdbi.withHandle(h -> h.createQuery("SELECT status FROM deployments WHERE id = ?")
                .bind(0, second.id()).mapTo(String.class).one());
        assertThat(secondStatus).isEqualTo("CANCELLED");
        // the project allows one build at a time: nothing more to claim for any node
        assertThat(queue.claim("node-b", 5)).isEmpty();
        assertThat(queue.active()).hasSize(2);

        // node-a goes silent: the watchdog fails its build and queues one retry; node-b takes over
        clock.set(NOW.plusSeconds(120));
        assertThat(queue.failSilent(java.time.Duration.ofSeconds(60), java.util.Set.of()))
                .extracting(io.miaobu.server.build.Deployment::id).containsExactly(first.id());
        var claimed = queue.claim("node-b", 5);
        assertThat(claimed).hasSize(1);
        long retryOrThird = claimed.get(0).id();
        assertThat(retryOrThird).isIn(third.id(), third.id() + 1);
        // a heartbeat carries cancel requests made on another node
        assertThat(queue.requestCancel(retryOrThird, "Cancelled by ada.")).isTrue();
        assertThat(queue.heartbeat("node-b", java.util.List.of(retryOrThird)))
                .containsEntry(retryOrThird, "Cancelled by ada.");
        // node-b restarts: what it held is failed, and not retried again if it was a retry already
        assertThat(queue.recoverAfterRestart("node-b")).extracting(io.miaobu.server.build.Deployment::id)
                .containsExactly(retryOrThird);
        assertThat(queue.clearProject(project, "cleared")).isGreaterThanOrEqualTo(0);
    }
}
