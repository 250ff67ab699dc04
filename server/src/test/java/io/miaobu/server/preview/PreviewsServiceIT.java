package io.miaobu.server.preview;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.TaskLog;
import io.miaobu.api.source.CheckoutRequest;
import io.miaobu.api.source.Commit;
import io.miaobu.api.source.CommitStatus;
import io.miaobu.api.source.PreviewComment;
import io.miaobu.api.source.RefState;
import io.miaobu.api.source.SourceProvider;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.build.BuildExecutor;
import io.miaobu.server.build.BuildService;
import io.miaobu.server.build.DatabaseBuildQueue;
import io.miaobu.server.build.Deployment;
import io.miaobu.server.build.DeploymentDao;
import io.miaobu.server.build.DeploymentStatus;
import io.miaobu.server.deploy.DeployService;
import io.miaobu.server.deploy.LiveSites;
import io.miaobu.server.deploy.SiteUrls;
import io.miaobu.server.outbound.GuardedOutboundHttp;
import io.miaobu.server.outbound.OutboundAddressPolicy;
import io.miaobu.server.persistence.Database;
import io.miaobu.server.persistence.TestDatabases;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.plugin.PluginHost;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.project.Project;
import io.miaobu.server.project.ProjectDao;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.source.CommitStatusReporter;
import io.miaobu.server.source.ProjectSources;
import io.miaobu.server.source.SourceCredentials;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Previews, their go-live, the sweep and commit statuses on H2 and PostgreSQL, with real services around a source
 * provider and a deploy target that record what they are asked (built in, like the notifiers of NotificationDispatcherIT).
 */
class PreviewsServiceIT {

    private static final String SHA1 = "1".repeat(40);
    private static final String SHA2 = "2".repeat(40);
    private static final String SHA3 = "3".repeat(40);
    private static final URI PUBLIC_URL = URI.create("http://miaobu.test/");
    private static final TaskLog DISCARD = new TaskLog() {
        public void info(String message) {
        }

        public void warn(String message) {
        }

        public void error(String message) {
        }

        public void output(String chunk) {
        }
    };

    @TempDir
    Path temp;

    private final Clock clock = Clock.systemUTC();
    private final RecordingSource source = new RecordingSource("recording");
    private final RecordingSource throwingSource = new RecordingSource("throwing");
    private final RecordingTarget target = new RecordingTarget();
    private Database database;
    private String schema;
    private PluginHost plugins;
    private Jdbi jdbi;
    private LiveSites liveSites;
    private DeployService deploys;
    private BuildService builds;
    private Previews previews;
    private PreviewSweep sweep;
    private CommitStatusReporter reporter;
    private DeploymentDao deployments;
    private final SiteUrls siteUrls = new SiteUrls(URI.create("http://miaobu.test:8080/"), "sites.test");

    static Stream<String> databases() {
        return Stream.of("h2", "postgresql");
    }

    @AfterEach
    void stop() throws Exception {
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

    private void start(String kind) throws Exception {
        if (kind.equals("h2")) {
            database = TestDatabases.h2(temp.resolve("db"));
        } else {
            schema = TestDatabases.newSchemaName();
            database = TestDatabases.postgres(schema);
        }
        database.start();
        jdbi = database.jdbi();
        plugins = new PluginHost(Files.createDirectories(temp.resolve("plugins")), temp.resolve("plugin-data"),
                new PluginHost.HostFacts("0.1.0", PUBLIC_URL, "sites.test", 8080, temp.resolve("sites")),
                new GuardedOutboundHttp(OutboundAddressPolicy.publicOnly()), clock);
        plugins.start();
        var extensions = new ExtensionRegistry(plugins, List.<MiaobuExtension>of(source, throwingSource, target));
        var audit = new AuditLog(jdbi, clock);
        var secretBox = new SecretBox(temp.resolve("secretbox"));
        var settings = new ExtensionSettings(jdbi, extensions, secretBox, audit, clock);
        liveSites = new LiveSites();
        deploys = new DeployService(jdbi, extensions, liveSites, clock);
        var queue = new DatabaseBuildQueue(jdbi, clock);
        // never started: deployments stay queued unless a test moves them on
        var executor = new BuildExecutor(queue, "node-a", Duration.ofSeconds(60), null, null, 1, clock);
        builds = new BuildService(jdbi, queue, executor);
        var sources = new ProjectSources(extensions, settings, ProjectExtensionValues.NONE,
                new SourceCredentials(jdbi, secretBox));
        previews = new Previews(jdbi, builds, deploys, sources, siteUrls, audit, clock);
        sweep = new PreviewSweep(jdbi, previews, sources, Duration.ofMinutes(15));
        reporter = new CommitStatusReporter(jdbi, sources, siteUrls, PUBLIC_URL, Duration.ofSeconds(1));
        deployments = jdbi.onDemand(DeploymentDao.class);
    }

    private Project project(String slug, String sourceProvider) {
        var dao = jdbi.onDemand(ProjectDao.class);
        long id = dao.insert(new Project(0, slug, slug, "https://git.example.test/" + slug + ".git", "main", "", "",
                "", "", false, sourceProvider, "node", "recording-target", null, null, clock.instant(),
                clock.instant()));
        return dao.findById(id).orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void requestsAreIgnoredForReasonsInWordsAndForksBuildWithoutSecrets(String kind) throws Exception {
        start(kind);
        Project project = project("shop", "recording");
        Deployment production = builds.enqueue(new io.miaobu.server.build.BuildQueue.NewDeployment(project.id(),
                "push", "main", SHA1, "recording-target", null, "production", null));

        assertThat(previews.deployPullRequest(project, 7, "patch-1", SHA1, true, "webhook").ignoredReason())
                .isEqualTo("pull requests from forks are not built (the project does not allow it)");
        assertThat(previews.deployBranch(project, "feature-x", SHA1, "webhook").ignoredReason())
                .isEqualTo("branch previews are off for this project");
        previews.saveSettings(project.id(), new PreviewSettings(false, null, null));
        assertThat(previews.deployPullRequest(project, 7, "patch-1", SHA1, false, "webhook").ignoredReason())
                .isEqualTo("pull request previews are off for this project");
        assertThat(previews.list(project.id())).isEmpty();

        assertThat(previews.saveSettings(project.id(), new PreviewSettings(true, true, true)))
                .isEqualTo(new PreviewSettings(true, true, true));
        PreviewRequest fork = previews.deployPullRequest(project, 7, "patch-1", SHA1, true, "webhook");
        assertThat(fork.isQueued()).isTrue();
        Deployment untrusted = fork.deployment();
        assertThat(untrusted.trusted()).isFalse();
        assertThat(untrusted.previewId()).isEqualTo(fork.preview().id());
        assertThat(untrusted.pullRequest()).isEqualTo(7);
        assertThat(untrusted.environment()).isEqualTo("preview");
        assertThat(untrusted.requestedSha()).isEqualTo(SHA1);
        assertThat(untrusted.branch()).isEqualTo("patch-1");
        assertThat(fork.preview().label()).isEqualTo("7");
        assertThat(previews.urlOf(fork.preview())).isEqualTo("http://7--shop.sites.test:8080/");

        // the same head again: nothing new
        PreviewRequest again = previews.deployPullRequest(project, 7, "patch-1", SHA1, true, "webhook");
        assertThat(again.ignoredReason()).isEqualTo("commit already deployed");

        // a new head supersedes the queued one, and only the preview's
        PreviewRequest newer = previews.deployPullRequest(project, 7, "patch-1", SHA2, true, "webhook");
        Deployment superseded = deployments.findById(untrusted.id()).orElseThrow();
        assertThat(superseded.status()).isEqualTo(DeploymentStatus.CANCELLED);
        assertThat(superseded.error()).isEqualTo("Superseded by deployment #" + newer.deployment().id() + ".");
        assertThat(deployments.findById(production.id()).orElseThrow().status()).isEqualTo(DeploymentStatus.QUEUED);
        assertThat(previews.list(project.id())).singleElement().satisfies(p -> assertThat(p.headSha()).isEqualTo(SHA2));

        // a branch preview, trusted
        PreviewRequest branch = previews.deployBranch(project, "Feature/X", SHA3, "webhook");
        assertThat(branch.preview().label()).isEqualTo("feature-x");
        assertThat(branch.deployment().trusted()).isTrue();
        assertThat(branch.deployment().pullRequest()).isNull();
        assertThat(previews.list(project.id())).hasSize(2);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aPreviewGoesLiveBesideProductionNewerWinsAndClosingRemovesIt(String kind) throws Exception {
        start(kind);
        Project project = project("shop", "recording");
        Deployment first = previews.deployPullRequest(project, 5, "fix", SHA1, false, "webhook").deployment();
        Deployment second = previews.deployPullRequest(project, 5, "fix", SHA2, false, "webhook").deployment();
        publish(second, "file:/srv/second/");
        publish(first, "file:/srv/first/");

        assertThat(deploys.activatePreview(project, get(second), DISCARD))
                .isEqualTo(DeployService.PreviewActivation.LIVE);
        // the older one, finishing later, does not replace it
        assertThat(deploys.activatePreview(project, get(first), DISCARD))
                .isEqualTo(DeployService.PreviewActivation.SUPERSEDED);
        assertThat(liveSites.find("5--shop")).hasValueSatisfying(site ->
                assertThat(site.root()).isEqualTo(Path.of("/srv/second")));
        assertThat(jdbi.onDemand(ProjectDao.class).findById(project.id()).orElseThrow().liveDeploymentId()).isNull();
        assertThat(target.previewActivations).containsExactly("shop 5--shop " + second.id());

        // a server starting again serves it too
        var restarted = new LiveSites();
        new DeployService(jdbi, new ExtensionRegistry(plugins, List.<MiaobuExtension>of(target)), restarted, clock)
                .loadLiveSites();
        assertThat(restarted.find("5--shop")).isPresent();

        // closing: the queued build is cancelled, the preview no longer served, its row gone
        Deployment third = previews.deployPullRequest(project, 5, "fix", SHA3, false, "webhook").deployment();
        assertThat(previews.closePullRequest(project, 5)).isPresent();
        assertThat(previews.list(project.id())).isEmpty();
        assertThat(liveSites.find("5--shop")).isEmpty();
        assertThat(target.removedPreviews).containsExactly("shop 5--shop");
        assertThat(get(third).status()).isEqualTo(DeploymentStatus.CANCELLED);
        assertThat(get(second).previewId()).isNull();
        assertThat(previews.closePullRequest(project, 5)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBuildFinishingAfterItsPreviewWasRemovedDoesNotGoLive(String kind) throws Exception {
        start(kind);
        Project project = project("shop", "recording");
        previews.saveSettings(project.id(), new PreviewSettings(null, true, null));
        PreviewRequest request = previews.deployBranch(project, "feature-x", SHA1, "webhook");
        Deployment deployment = request.deployment();
        publish(deployment, "file:/srv/feature/");
        Deployment stale = get(deployment.id());
        assertThat(previews.removeBranch(project, "feature-x")).isPresent();

        assertThat(deploys.activatePreview(project, stale, DISCARD))
                .isEqualTo(DeployService.PreviewActivation.PREVIEW_GONE);
        assertThat(liveSites.find("feature-x--shop")).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void sweepRemovesGonePreviewsKeepsUnknownAndOpenAndSurvivesAThrowingProvider(String kind) throws Exception {
        start(kind);
        Project failing = project("failing", "throwing");
        Project shop = project("shop", "recording");
        previews.saveSettings(shop.id(), new PreviewSettings(null, true, null));
        previews.deployPullRequest(failing, 9, "x", SHA1, false, "webhook");
        previews.deployPullRequest(shop, 1, "closed", SHA1, false, "webhook");
        previews.deployPullRequest(shop, 2, "open", SHA1, false, "webhook");
        previews.deployPullRequest(shop, 3, "unknown", SHA1, false, "webhook");
        previews.deployBranch(shop, "deleted-branch", SHA1, "webhook");
        previews.deployBranch(shop, "live-branch", SHA1, "webhook");
        source.pullRequests.putAll(Map.of(1, RefState.GONE, 2, RefState.OPEN, 3, RefState.UNKNOWN));
        source.branches.putAll(Map.of("deleted-branch", RefState.GONE, "live-branch", RefState.OPEN));

        assertThat(sweep.sweep()).isEqualTo(2);

        assertThat(previews.list(shop.id())).extracting(Preview::label)
                .containsExactlyInAnyOrder("2", "3", "live-branch");
        assertThat(previews.list(failing.id())).extracting(Preview::label).containsExactly("9");
        assertThat(throwingSource.calls).isNotEmpty();
        long audited = jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM audit_events WHERE action = 'deploy.preview_removed'").mapTo(Long.class).one());
        assertThat(audited).isEqualTo(2L);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void commitStatusesFollowTheDeploymentsOnTheExactCommit(String kind) throws Exception {
        start(kind);
        Project failing = project("failing", "throwing");
        Project shop = project("shop", "recording");

        // a change rolled back is never reported
        try {
            jdbi.useTransaction(handle -> {
                DeploymentDao dao = handle.attach(DeploymentDao.class);
                long ghost = dao.insertQueued(shop.id(), "push", "main", SHA3, "recording-target", null,
                        clock.instant());
                dao.recordStatusChange(ghost, DeploymentStatus.FAILED, clock.instant());
                throw new IllegalStateException("roll back");
            });
        } catch (IllegalStateException expected) {
            // rolled back
        }
        // the throwing provider's report comes first in the batch and stops nothing
        builds.enqueue(new io.miaobu.server.build.BuildQueue.NewDeployment(failing.id(), "push", "main", SHA2,
                "recording-target", null, "production", null));
        Deployment production = builds.enqueue(new io.miaobu.server.build.BuildQueue.NewDeployment(shop.id(), "push",
                "main", SHA1, "recording-target", null, "production", null));
        assertThat(reporter.reportPending()).isEqualTo(2);
        assertThat(throwingSource.calls).hasSize(1);

        move(production.id(), DeploymentStatus.CLONING, null);
        reporter.reportPending();
        move(production.id(), DeploymentStatus.LIVE, null);
        reporter.reportPending();
        assertThat(source.statuses).extracting(s -> s.state() + " " + s.description() + " " + s.targetUrl())
                .containsExactly(
                        "PENDING Queued http://miaobu.test/deployments/" + production.id(),
                        "PENDING Building http://miaobu.test/deployments/" + production.id(),
                        "SUCCESS Deployed http://shop.sites.test:8080/");
        assertThat(source.statuses).allSatisfy(s -> {
            assertThat(s.commitSha()).isEqualTo(SHA1);
            assertThat(s.context()).isEqualTo("miaobu/shop");
            assertThat(s.repository().url()).isEqualTo("https://git.example.test/shop.git");
        });
        assertThat(source.comments).isEmpty();

        // a pull request's preview: pending with a comment, then its failure with the log's link and a comment
        source.statuses.clear();
        Deployment preview = previews.deployPullRequest(shop, 12, "fix", SHA2, false, "webhook").deployment();
        reporter.reportPending();
        move(preview.id(), DeploymentStatus.CLONING, null);
        move(preview.id(), DeploymentStatus.FAILED, "npm run build exited with 1\nat line 3");
        reporter.reportPending();
        URI log = URI.create("http://miaobu.test/deployments/" + preview.id());
        assertThat(source.statuses).extracting(s -> s.state() + " " + s.description() + " " + s.targetUrl() + " "
                        + s.context() + " " + s.commitSha())
                .containsExactly("PENDING Queued " + log + " miaobu/shop/preview " + SHA2,
                        "FAILURE npm run build exited with 1 " + log + " miaobu/shop/preview " + SHA2);
        assertThat(source.comments).extracting(c -> c.pullRequest() + " " + c.state() + " " + c.commitSha() + " "
                        + c.logUrl() + " " + c.marker())
                .containsExactly("12 PENDING " + SHA2 + " " + log + " miaobu:miaobu.test:project-" + shop.id(),
                        "12 FAILURE " + SHA2 + " " + log + " miaobu:miaobu.test:project-" + shop.id());

        // a preview that goes live: success with the preview's URL, in the status and the comment
        source.statuses.clear();
        source.comments.clear();
        Deployment fixed = previews.deployPullRequest(shop, 12, "fix", SHA3, false, "webhook").deployment();
        move(fixed.id(), DeploymentStatus.CLONING, null);
        move(fixed.id(), DeploymentStatus.LIVE, null);
        assertThat(reporter.reportPending()).isEqualTo(3);
        assertThat(source.statuses).extracting(s -> s.state() + " " + s.targetUrl())
                .containsExactly("SUCCESS http://12--shop.sites.test:8080/");
        assertThat(source.comments).extracting(c -> c.state() + " " + c.previewUrl())
                .containsExactly("SUCCESS http://12--shop.sites.test:8080/");
        assertThat(reporter.reportPending()).isZero();
    }

    private Deployment get(Deployment deployment) {
        return get(deployment.id());
    }

    private Deployment get(long id) {
        return deployments.findById(id).orElseThrow();
    }

    private void publish(Deployment deployment, String location) {
        deployments.recordPublication(deployment.id(), "ref-" + deployment.id(), location, 1, 10, 10);
    }

    /** Moves a deployment on as the build system does: status and its change in one transaction. */
    private void move(long id, DeploymentStatus status, String error) {
        jdbi.useTransaction(handle -> {
            DeploymentDao dao = handle.attach(DeploymentDao.class);
            if (status == DeploymentStatus.CLONING) {
                dao.claim(id, clock.instant());
            } else {
                dao.finish(id, status, error, clock.instant());
            }
            dao.recordStatusChange(id, status, clock.instant());
        });
    }

    /** Records statuses and comments; the one called "throwing" throws from every call after recording it. */
    private static final class RecordingSource implements SourceProvider {
        final String id;
        final List<CommitStatus> statuses = new CopyOnWriteArrayList<>();
        final List<PreviewComment> comments = new CopyOnWriteArrayList<>();
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<Integer, RefState> pullRequests = new ConcurrentHashMap<>();
        final Map<String, RefState> branches = new ConcurrentHashMap<>();

        RecordingSource(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public String displayName() {
            return id;
        }

        public boolean handles(String url) {
            return false;
        }

        public String resolveBranch(SourceRepository repository) {
            return SHA1;
        }

        public Commit checkout(CheckoutRequest request, TaskLog log) {
            throw new UnsupportedOperationException();
        }

        private void call(String what) {
            calls.add(what);
            if (id.equals("throwing")) {
                throw new IllegalStateException("the source host is down");
            }
        }

        @Override
        public void reportStatus(CommitStatus status) {
            call("status");
            statuses.add(status);
        }

        @Override
        public void reportPreview(PreviewComment comment) {
            call("comment");
            comments.add(comment);
        }

        @Override
        public RefState pullRequestState(SourceRepository repository, int number) {
            call("pr " + number);
            return pullRequests.getOrDefault(number, RefState.UNKNOWN);
        }

        @Override
        public RefState branchState(SourceRepository repository, String branch) {
            call("branch " + branch);
            return branches.getOrDefault(branch, RefState.UNKNOWN);
        }
    }

    private static final class RecordingTarget implements DeployTarget {
        final List<String> previewActivations = new CopyOnWriteArrayList<>();
        final List<String> removedPreviews = new CopyOnWriteArrayList<>();

        public String id() {
            return "recording-target";
        }

        public String displayName() {
            return "Recording target";
        }

        public PublishedDeployment publish(PublishContext context) {
            throw new UnsupportedOperationException();
        }

        public ActivationResult activate(SiteDeployment deployment) {
            return ActivationResult.NOTHING_TO_PURGE;
        }

        public void delete(SiteDeployment deployment) {
        }

        @Override
        public ActivationResult activatePreview(SiteDeployment deployment, String label) {
            previewActivations.add(deployment.siteKey() + " " + label + " "
                    + deployment.deployment().storageRef().substring("ref-".length()));
            return ActivationResult.NOTHING_TO_PURGE;
        }

        @Override
        public void removePreview(String siteKey, String label, ConfigValues globalSettings,
                                  ConfigValues projectSettings) {
            removedPreviews.add(siteKey + " " + label);
        }
    }
}
