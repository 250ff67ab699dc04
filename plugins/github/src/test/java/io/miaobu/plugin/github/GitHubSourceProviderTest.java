package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.source.CommitStatus;
import io.miaobu.api.source.PreviewComment;
import io.miaobu.api.source.RefState;
import io.miaobu.api.source.RepositoryInfo;
import io.miaobu.api.source.RepositoryPage;
import io.miaobu.api.source.RepositoryQuery;
import io.miaobu.api.source.SourceRepository;
import io.miaobu.api.source.WebhookSetup;
import io.miaobu.plugin.github.standin.GitHubStandIn;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source provider's API calls against the stand-in. */
class GitHubSourceProviderTest {

    @TempDir
    Path temp;

    private GitHubStandIn github;
    private final GitHubSourceProvider provider = new GitHubSourceProvider(Duration.ofMillis(10));
    private Secret token;
    private RevCommit tip;
    private SourceRepository site;

    @BeforeEach
    void start() throws Exception {
        github = GitHubStandIn.start(temp.resolve("github"));
        token = Secret.of(github.addUser("octo", 1, "octo@example.com"));
        try (LocalRepository local = LocalRepository.create(temp.resolve("work"))) {
            tip = local.commit("index.html", "<h1>hi</h1>", "First page");
            local.branch("feature");
            local.commit("about.html", "about", "About page");
            github.createRepository("octo", "site", true).pushFrom(local.directory());
        }
        site = repository("octo/site", "main");
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void handlesHttpsUrlsOnGitHubComOnly() {
        assertThat(provider.handles("https://github.com/octo/site")).isTrue();
        assertThat(provider.handles("https://github.com/octo/site.git")).isTrue();
        assertThat(provider.handles("https://gitlab.com/octo/site.git")).isFalse();
        assertThat(provider.handles("git@github.com:octo/site.git")).isFalse();
        assertThat(provider.handles("https://github.com/octo")).isFalse();
        assertThat(provider.handles("/srv/git/site")).isFalse();
    }

    @Test
    void resolvesABranchThroughTheApi() {
        assertThat(provider.resolveBranch(site)).isEqualTo(tip.name());
        assertThat(github.apiRequests()).extracting(GitHubStandIn.Request::path)
                .containsExactly("/repos/octo/site/branches/main");
    }

    @Test
    void explainsAMissingBranch() {
        ExtensionException failure = catchThrowableOfType(ExtensionException.class,
                () -> provider.resolveBranch(repository("octo/site", "gone")));

        assertThat(failure).hasMessage("Branch gone does not exist in octo/site, or the token cannot see the"
                + " repository.");
    }

    @Test
    void listsRepositoriesPageByPageWithHasMore() {
        github.createRepository("octo", "blog", false);
        github.createRepository("octo", "docs", true);

        RepositoryPage first = provider.listRepositories(query("", 1, 2));
        RepositoryPage second = provider.listRepositories(query("", 2, 2));

        assertThat(first.repositories()).hasSize(2);
        assertThat(first.hasMore()).isTrue();
        assertThat(second.repositories()).hasSize(1);
        assertThat(second.hasMore()).isFalse();
        assertThat(first.repositories().stream().map(RepositoryInfo::fullName))
                .doesNotContainAnyElementsOf(second.repositories().stream().map(RepositoryInfo::fullName).toList());
        RepositoryInfo siteInfo = java.util.stream.Stream.concat(first.repositories().stream(),
                second.repositories().stream()).filter(r -> r.fullName().equals("octo/site")).findFirst().orElseThrow();
        assertThat(siteInfo).isEqualTo(new RepositoryInfo("octo/site", github.repository("octo/site").cloneUrl(),
                "main", true, github.repository("octo/site").htmlUrl()));
        GitHubStandIn.Request request = github.apiRequests().get(0);
        assertThat(request.parameters()).containsEntry("affiliation", "owner,collaborator,organization_member")
                .containsEntry("sort", "pushed").containsEntry("per_page", "2").containsEntry("page", "1");
    }

    @Test
    void searchesByNameAcrossGitHubsPagesAndPagesLocally() {
        for (int i = 0; i < 120; i++) {
            github.createRepository("octo", (i % 2 == 0 ? "Landing-" : "lib-") + i, false);
        }

        RepositoryPage first = provider.listRepositories(query("landing", 1, 50));
        RepositoryPage second = provider.listRepositories(query("LANDING", 2, 50));

        assertThat(first.repositories()).hasSize(50).allMatch(r -> r.fullName().contains("Landing-"));
        assertThat(first.hasMore()).isTrue();
        assertThat(second.repositories()).hasSize(10);
        assertThat(second.hasMore()).isFalse();
        assertThat(github.apiRequests()).filteredOn(r -> r.parameters().get("per_page").equals("100")).hasSize(4);
    }

    @Test
    void needsATokenToList() {
        ExtensionException failure = catchThrowableOfType(ExtensionException.class, () -> provider.listRepositories(
                new RepositoryQuery(github.settings(), null, "", 1, 30)));

        assertThat(failure).hasMessageContaining("sign in with GitHub");
    }

    @Test
    void createsAWebhookForPushAndPullRequests() {
        String id = provider.installWebhook(new WebhookSetup(site, URI.create("https://miaobu.test/hooks/github/42"),
                Secret.of("hook-secret-1")));

        assertThat(github.hooks("octo/site")).singleElement().satisfies(hook -> {
            assertThat(Long.toString(hook.id())).isEqualTo(id);
            assertThat(hook.url()).isEqualTo("https://miaobu.test/hooks/github/42");
            assertThat(hook.secret()).isEqualTo("hook-secret-1");
            assertThat(hook.contentType()).isEqualTo("json");
            assertThat(hook.insecureSsl()).isEqualTo("0");
            assertThat(hook.events()).containsExactly("push", "pull_request");
            assertThat(hook.active()).isTrue();
        });
    }

    @Test
    void takesOverTheExistingHookWithTheSameUrlAndGivesItTheNewSecret() {
        URI callback = URI.create("https://miaobu.test/hooks/github/42");
        String first = provider.installWebhook(new WebhookSetup(site, callback, Secret.of("old")));
        provider.installWebhook(new WebhookSetup(site, URI.create("https://other.test/hook"), Secret.of("x")));

        String second = provider.installWebhook(new WebhookSetup(site, callback, Secret.of("new")));

        assertThat(second).isEqualTo(first);
        assertThat(github.hooks("octo/site")).hasSize(2)
                .filteredOn(h -> h.url().equals(callback.toString())).singleElement()
                .satisfies(h -> assertThat(h.secret()).isEqualTo("new"));
        assertThat(github.apiRequests()).extracting(GitHubStandIn.Request::method).contains("PATCH");
    }

    @Test
    void removesAWebhookAndTreatsAMissingOneAsRemoved() {
        String id = provider.installWebhook(new WebhookSetup(site, URI.create("https://miaobu.test/h"),
                Secret.of("s")));

        provider.removeWebhook(site, id);
        provider.removeWebhook(site, id);

        assertThat(github.hooks("octo/site")).isEmpty();
    }

    @Test
    void explainsThatCreatingAHookNeedsAdminRights() {
        String helper = github.addUser("helper", 2, "helper@example.com");
        github.addCollaborator("octo/site", "helper", false);
        SourceRepository asHelper = new SourceRepository(site.url(), "main", github.settings(), ConfigValues.EMPTY,
                Secret.of(helper));

        ExtensionException failure = catchThrowableOfType(ExtensionException.class, () -> provider.installWebhook(
                new WebhookSetup(asHelper, URI.create("https://miaobu.test/h"), Secret.of("s"))));

        assertThat(failure).hasMessageContaining("octo/site").hasMessageContaining("admin");
    }

    @Test
    void postsCommitStatusesOnTheExactCommit() {
        provider.reportStatus(new CommitStatus(site, tip.name(), CommitStatus.State.PENDING, null, "Queued",
                "miaobu/site"));
        provider.reportStatus(new CommitStatus(site, tip.name(), CommitStatus.State.SUCCESS,
                URI.create("https://site.example/"), "x".repeat(200), "miaobu/site"));

        assertThat(github.statuses("octo/site", tip.name())).extracting(GitHubStandIn.CommitStatusRecord::state)
                .containsExactly("pending", "success");
        GitHubStandIn.CommitStatusRecord success = github.statuses("octo/site", tip.name()).get(1);
        assertThat(success.targetUrl()).isEqualTo("https://site.example/");
        assertThat(success.context()).isEqualTo("miaobu/site");
        assertThat(success.description()).hasSize(140);
        assertThat(success.creator()).isEqualTo("octo");
    }

    @Test
    void explainsAStatusOnAnUnknownCommit() {
        ExtensionException failure = catchThrowableOfType(ExtensionException.class, () -> provider.reportStatus(
                new CommitStatus(site, "a".repeat(40), CommitStatus.State.ERROR, null, "x", "miaobu/site")));

        assertThat(failure).hasMessageContaining("No commit found for SHA");
    }

    @Test
    void keepsOnePreviewCommentPerPullRequestAndUpdatesItInPlace() {
        github.openPullRequest("octo/site", 7, "feature");
        String sha = github.repository("octo/site").branchTip("feature").orElseThrow();

        provider.reportPreview(new PreviewComment(site, 7, sha, CommitStatus.State.PENDING, "My site", null,
                URI.create("https://miaobu.test/p/1/builds/9"), "miaobu:test:project-1"));
        provider.reportPreview(new PreviewComment(site, 7, sha, CommitStatus.State.SUCCESS, "My site",
                URI.create("http://7--my-site.sites.test/"), URI.create("https://miaobu.test/p/1/builds/9"),
                "miaobu:test:project-1"));

        assertThat(github.comments("octo/site", 7)).singleElement().satisfies(comment -> {
            assertThat(comment.body()).contains("<!-- miaobu:test:project-1 -->")
                    .contains("| My site | ✅ Ready | [http://7--my-site.sites.test/](http://7--my-site.sites.test/)")
                    .contains("`" + sha.substring(0, 7) + "`")
                    .contains("[log](https://miaobu.test/p/1/builds/9)")
                    .doesNotContain("Building");
            assertThat(comment.author()).isEqualTo("octo");
        });
    }

    @Test
    void keepsSeparateCommentsForSeparateProjects() {
        github.openPullRequest("octo/site", 7, "feature");

        provider.reportPreview(new PreviewComment(site, 7, tip.name(), CommitStatus.State.PENDING, "A", null, null,
                "miaobu:a"));
        provider.reportPreview(new PreviewComment(site, 7, tip.name(), CommitStatus.State.PENDING, "B", null, null,
                "miaobu:b"));

        assertThat(github.comments("octo/site", 7)).hasSize(2);
    }

    @Test
    void tellsWhetherAPullRequestIsStillOpen() {
        github.openPullRequest("octo/site", 7, "feature");
        assertThat(provider.pullRequestState(site, 7)).isEqualTo(RefState.OPEN);

        github.closePullRequest("octo/site", 7);

        assertThat(provider.pullRequestState(site, 7)).isEqualTo(RefState.GONE);
        assertThat(provider.pullRequestState(site, 8)).isEqualTo(RefState.GONE);
        github.failNext(3, 502);
        assertThat(provider.pullRequestState(site, 7)).isEqualTo(RefState.UNKNOWN);
    }

    @Test
    void tellsWhetherABranchStillExists() {
        assertThat(provider.branchState(site, "feature")).isEqualTo(RefState.OPEN);
        assertThat(provider.branchState(site, "deleted-long-ago")).isEqualTo(RefState.GONE);
        github.failNext(3, 500);
        assertThat(provider.branchState(site, "feature")).isEqualTo(RefState.UNKNOWN);
    }

    private SourceRepository repository(String fullName, String branch) {
        return new SourceRepository(github.repository(fullName).cloneUrl(), branch, github.settings(),
                ConfigValues.EMPTY, token);
    }

    private RepositoryQuery query(String search, int page, int perPage) {
        return new RepositoryQuery(github.settings(), token, search, page, perPage);
    }
}
