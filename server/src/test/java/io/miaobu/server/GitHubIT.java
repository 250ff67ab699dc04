package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.miaobu.plugin.github.standin.GitHubStandIn;
import io.miaobu.plugin.github.standin.GitHubWebhooks;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub plugin in a real server against the GitHub stand-in (its REST API, OAuth and git smart HTTP): a user signs
 * in with GitHub, imports a repository through the pages, and from then on pushes deploy, pull requests get previews,
 * commit statuses and a comment, and the real webhook payloads get the answers and records they should.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GitHubIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    static Path temp;

    static GitHubStandIn github;
    static TestServer server;
    static GitHubStandIn.StandInRepository repository;
    static SiteRepository local;
    static Browser browser;
    static long projectId;
    static String slug;
    static URI hookUrl;
    static String hookSecret;
    static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> operatorLog;

    @BeforeAll
    static void signInAndImport() throws Exception {
        github = GitHubStandIn.start(temp.resolve("github"));
        github.addUser("octocat", 583231, "octocat@example.test");
        repository = github.createRepository("octocat", "site", true);
        local = new SiteRepository(temp.resolve("local"));
        local.commitMessage("first version");
        repository.pushFrom(local.directory());

        operatorLog = captureOperatorLog();
        server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false",
                "previews.sweep.interval", "PT1S")).publicUrlOnLoopback().start();
        server.json("PUT", "/api/v1/extensions/SourceProvider/github/settings", Map.of("values", Map.of(
                "client-id", GitHubStandIn.CLIENT_ID, "client-secret", GitHubStandIn.CLIENT_SECRET,
                "web-url", github.webUrl().toString(), "api-url", github.apiUrl().toString())), 200);

        browser = new Browser();
        List<HttpResponse<String>> hops = browser.follow(browser.get(server.uri("/auth/github/start")));
        HttpResponse<String> landed = hops.get(hops.size() - 1);
        assertThat(landed.statusCode()).as(landed.body()).isEqualTo(200);
        assertThat(landed.uri().getPath()).isEqualTo("/");
        var authorize = github.authorizations().get(0);
        assertThat(authorize.codeChallengeMethod()).isEqualTo("S256");
        assertThat(authorize.scope()).isEqualTo("repo read:user user:email");
        assertThat(authorize.redirectUri()).isEqualTo(server.uri("/auth/github/callback").toString());
    }

    @AfterAll
    static void stop() {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .detachAppender(operatorLog);
        if (server != null) {
            server.close();
        }
        if (github != null) {
            github.close();
        }
    }

    @Test
    @Order(1)
    void theUserImportsARepositoryFromThePickerAndItsFirstDeploymentGoesLive() throws Exception {
        JsonNode me = json(browser.get(server.uri("/api/v1/account")));
        assertThat(me.get("username").asText()).isEqualTo("octocat");
        assertThat(json(browser.get(server.uri("/api/v1/account/email"))).get("email").asText())
                .as("the verified address from GitHub").isEqualTo("octocat@example.test");

        // a callback whose state is not the one this browser's sign-in started with is refused
        var stranger = new Browser();
        HttpResponse<String> start = stranger.get(server.uri("/auth/github/start"));
        URI toGitHub = URI.create(start.headers().firstValue("Location").orElseThrow());
        assertThat(toGitHub.toString()).startsWith(github.webUrl() + "/login/oauth/authorize?");
        URI back = URI.create(stranger.get(toGitHub).headers().firstValue("Location").orElseThrow());
        HttpResponse<String> forged = stranger.get(URI.create(back.toString()
                .replaceAll("state=[^&]+", "state=forged")));
        assertThat(forged.statusCode()).isEqualTo(400);
        assertThat(stranger.cookie("127.0.0.1", "miaobu_session")).isNull();

        HttpResponse<String> dashboard = browser.get(server.uri("/"));
        assertThat(dashboard.body()).contains("href=\"/import/github\"");
        HttpResponse<String> picker = browser.get(server.uri("/import/github?q=sit"));
        assertThat(picker.statusCode()).as(picker.body()).isEqualTo(200);
        assertThat(picker.body()).contains("octocat/site").contains("/import/github/analysis?cloneUrl=");

        String analysisPath = "/import/github/analysis?cloneUrl="
                + URLEncoder.encode(repository.cloneUrl(), StandardCharsets.UTF_8) + "&branch=main";
        HttpResponse<String> analysis = browser.get(server.uri(analysisPath));
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(200);
        assertThat(analysis.body()).contains("value=\"npm run build\"").contains("value=\"dist\"").contains(repository.branchTip("main").orElseThrow());

        HttpResponse<String> imported = browser.postForm(server.uri("/import/github"), form(analysis,
                "name", "Octo site", "repositoryUrl", repository.cloneUrl(), "branch", "main",
                "rootDirectory", "", "installCommand", "", "buildCommand", "", "outputDirectory", ""));
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(303);
        String location = imported.headers().firstValue("Location").orElseThrow();
        projectId = Long.parseLong(location.replaceAll(".*/projects/(\\d+).*", "$1"));
        JsonNode project = server.json("GET", "/api/v1/projects/" + projectId, null, 200);
        slug = project.get("slug").asText();

        // the webhook is registered at GitHub, with the URL and events Miaobu needs and a secret it kept
        List<GitHubStandIn.Hook> hooks = github.hooks("octocat/site");
        assertThat(hooks).hasSize(1);
        hookUrl = server.uri("/hooks/github/" + projectId);
        assertThat(hooks.get(0).url()).isEqualTo(hookUrl.toString());
        assertThat(hooks.get(0).events()).containsExactlyInAnyOrder("push", "pull_request");
        hookSecret = hooks.get(0).secret();
        assertThat(hookSecret).hasSizeGreaterThanOrEqualTo(32);
        JsonNode webhook = server.json("GET", "/api/v1/projects/" + projectId + "/webhook", null, 200);
        assertThat(webhook.get("installed").asBoolean()).isTrue();
        assertThat(webhook.toString()).doesNotContain(hookSecret);

        // the first deployment clones the private repository with the user's token over smart HTTP
        JsonNode first = latestDeployment();
        assertThat(server.awaitFinal(first.get("id").asLong()).get("status").asText()).isEqualTo("LIVE");
        assertThat(server.site(slug, "/").body()).contains("first version");
    }

    @Test
    @Order(2)
    void aPushToTheProductionBranchDeploysThatCommitAndReportsSuccessOnIt() throws Exception {
        String sha = local.commitMessage("second version");
        repository.pushFrom(local.directory());
        String deliveryId = GitHubWebhooks.newDeliveryId();

        HttpResponse<String> answer = GitHubWebhooks.postSigned(hookUrl, "push", pushTo("main", sha), hookSecret,
                deliveryId);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        long deploymentId = json(answer).get("deploymentId").asLong();
        JsonNode deployment = server.awaitFinal(deploymentId);
        assertThat(deployment.get("status").asText()).isEqualTo("LIVE");
        assertThat(deployment.get("commitSha").asText()).isEqualTo(sha);
        assertThat(server.site(slug, "/").body()).contains("second version");
        String siteUrl = "http://" + slug + ".localhost:" + server.port() + "/";
        List<GitHubStandIn.CommitStatusRecord> statuses = await(() -> github.statuses("octocat/site", sha),
                list -> list.stream().anyMatch(s -> s.state().equals("success")));
        assertThat(statuses).extracting(GitHubStandIn.CommitStatusRecord::context).containsOnly("miaobu/" + slug);
        // "pending" is reported while it is queued or building, unless the build ended before the reporter's next
        // round; the order of the reports is checked in PreviewsServiceIT
        assertThat(statuses).extracting(GitHubStandIn.CommitStatusRecord::state).contains("success")
                .isSubsetOf("pending", "success");
        assertThat(statuses.stream().filter(s -> s.state().equals("success")).findFirst().orElseThrow().targetUrl())
                .isEqualTo(siteUrl);

        // the same delivery again is a duplicate; the same commit in another delivery is already deployed
        HttpResponse<String> replay = GitHubWebhooks.postSigned(hookUrl, "push", pushTo("main", sha), hookSecret,
                deliveryId);
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(json(replay).get("reason").asText()).startsWith("Duplicate delivery");
        HttpResponse<String> again = GitHubWebhooks.postSigned(hookUrl, "push", pushTo("main", sha), hookSecret,
                GitHubWebhooks.newDeliveryId());
        assertThat(json(again).get("reason").asText()).startsWith("Commit already deployed");
        assertThat(server.json("GET", "/api/v1/projects/" + projectId + "/deployments?limit=50", null, 200)
                .get("items")).hasSize(2);
    }

    @Test
    @Order(3)
    void theRealPayloadsGetTheirAnswersAndEveryDeliveryIsRecordedWithItsReason() throws Exception {
        HttpResponse<String> ping = GitHubWebhooks.post(hookUrl, GitHubWebhooks.PING, hookSecret);
        assertThat(ping.statusCode()).isEqualTo(200);
        assertThat(json(ping).get("outcome").asText()).isEqualTo("PROCESSED");

        HttpResponse<String> tag = GitHubWebhooks.post(hookUrl, GitHubWebhooks.PUSH_TAG_DELETED, hookSecret);
        assertThat(tag.statusCode()).isEqualTo(200);
        assertThat(json(tag).get("reason").asText()).contains("Tag pushes are not deployed");

        // pushes to "master", which this project does not deploy, with branch previews off
        HttpResponse<String> otherBranch = GitHubWebhooks.post(hookUrl, GitHubWebhooks.PUSH_NEW_BRANCH, hookSecret);
        assertThat(otherBranch.statusCode()).isEqualTo(200);
        assertThat(json(otherBranch).get("reason").asText()).startsWith("Branch not deployed");

        HttpResponse<String> forged = GitHubWebhooks.postWithSignature(hookUrl, "push",
                GitHubWebhooks.PUSH_NEW_BRANCH.body(), GitHubWebhooks.sign("not-the-secret",
                        GitHubWebhooks.PUSH_NEW_BRANCH.body()), GitHubWebhooks.newDeliveryId());
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(json(forged).get("outcome").asText()).isEqualTo("REFUSED");
        HttpResponse<String> unsigned = GitHubWebhooks.postWithSignature(hookUrl, "push",
                GitHubWebhooks.PUSH_NEW_BRANCH.body(), null, GitHubWebhooks.newDeliveryId());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        HttpResponse<String> wiki = GitHubWebhooks.postSigned(hookUrl, "gollum",
                GitHubWebhooks.PING.body(), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(wiki.statusCode()).as("an event GitHub has but Miaobu does not use").isEqualTo(200);
        assertThat(json(wiki).get("outcome").asText()).isEqualTo("IGNORED");
        HttpResponse<String> unknownEvent = GitHubWebhooks.postSigned(hookUrl, "no-such-event",
                GitHubWebhooks.PING.body(), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(unknownEvent.statusCode()).isEqualTo(400);

        URI nowhere = server.uri("/hooks/github/987654");
        HttpResponse<String> unknownProject = GitHubWebhooks.post(nowhere, GitHubWebhooks.PING, hookSecret);
        assertThat(unknownProject.statusCode()).isEqualTo(404);
        assertThat(server.json("GET", "/api/v1/admin/webhook-deliveries", null, 200).get("items").get(0)
                .get("reason").asText()).isEqualTo("No project 987654 receives webhooks here.");

        JsonNode deliveries = server.json("GET", "/api/v1/projects/" + projectId + "/webhook/deliveries?limit=200",
                null, 200).get("items");
        var outcomes = new java.util.ArrayList<String>();
        deliveries.forEach(d -> outcomes.add(d.get("outcome").asText() + " " + d.get("httpStatus").asInt()));
        assertThat(outcomes).contains("PROCESSED 202", "IGNORED 200", "REFUSED 401", "REFUSED 400");
        HttpResponse<String> page = browser.get(server.uri("/projects/" + projectId + "/webhook"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("Duplicate delivery").contains("Commit already deployed")
                .contains("Tag pushes are not deployed").doesNotContain(hookSecret);
    }

    @Test
    @Order(4)
    void aRecordedDeliveryCanBeRunAgain() throws Exception {
        String sha = local.commitMessage("third version");
        repository.pushFrom(local.directory());
        HttpResponse<String> first = GitHubWebhooks.postSigned(hookUrl, "push", pushTo("main", sha), hookSecret,
                GitHubWebhooks.newDeliveryId());
        long recordId = json(first).get("delivery").asLong();
        long deploymentId = json(first).get("deploymentId").asLong();
        assertThat(server.awaitFinal(deploymentId).get("status").asText()).isEqualTo("LIVE");

        JsonNode rerun = server.json("POST", "/api/v1/projects/" + projectId + "/webhook/deliveries/" + recordId
                + "/redeliver", null, 200);

        assertThat(rerun.get("reason").asText()).startsWith("Commit already deployed");
        JsonNode latest = server.json("GET", "/api/v1/projects/" + projectId + "/webhook/deliveries?limit=1", null,
                200).get("items").get(0);
        assertThat(latest.get("redeliveryOf").asLong()).isEqualTo(recordId);

        // a refused delivery kept no body and cannot be run again
        long refused = -1;
        for (JsonNode delivery : server.json("GET", "/api/v1/projects/" + projectId
                + "/webhook/deliveries?limit=200", null, 200).get("items")) {
            if (delivery.get("outcome").asText().equals("REFUSED")) {
                refused = delivery.get("id").asLong();
                assertThat(delivery.get("hasBody").asBoolean()).isFalse();
            }
        }
        assertThat(refused).isPositive();
        HttpResponse<String> refusedRerun = server.api("POST", "/api/v1/projects/" + projectId
                + "/webhook/deliveries/" + refused + "/redeliver", null);
        assertThat(refusedRerun.statusCode()).isEqualTo(409);
        assertThat(refusedRerun.body()).contains("cannot be run again");
    }

    @Test
    @Order(5)
    void aPullRequestGetsAPreviewAndOneCommentAndClosingItRemovesThePreview() throws Exception {
        try (Git git = Git.open(local.directory().toFile())) {
            git.checkout().setCreateBranch(true).setName("feature").call();
        }
        String sha = local.commitMessage("preview version");
        repository.pushFrom(local.directory());
        github.openPullRequest("octocat/site", 2, "feature");

        HttpResponse<String> opened = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                pullRequest("opened", 2, "feature", sha), hookSecret, GitHubWebhooks.newDeliveryId());

        assertThat(opened.statusCode()).as(opened.body()).isEqualTo(202);
        JsonNode preview = server.awaitFinal(json(opened).get("deploymentId").asLong());
        assertThat(preview.get("status").asText()).isEqualTo("LIVE");
        assertThat(server.site("2--" + slug, "/").body()).contains("preview version");
        assertThat(server.site(slug, "/").body()).as("production untouched").contains("third version");
        String previewUrl = "http://2--" + slug + ".localhost:" + server.port() + "/";
        List<GitHubStandIn.IssueComment> comments = await(() -> github.comments("octocat/site", 2),
                list -> list.size() == 1 && list.get(0).body().contains(previewUrl));
        assertThat(comments).hasSize(1);
        assertThat(await(() -> github.statuses("octocat/site", sha),
                list -> list.stream().anyMatch(s -> s.state().equals("success"))))
                .extracting(GitHubStandIn.CommitStatusRecord::context).containsOnly("miaobu/" + slug + "/preview");

        // another push to the pull request: the preview follows, the comment is updated in place
        String next = local.commitMessage("preview version two");
        repository.pushFrom(local.directory());
        HttpResponse<String> synchronize = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                pullRequest("synchronize", 2, "feature", next), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(server.awaitFinal(json(synchronize).get("deploymentId").asLong()).get("status").asText())
                .isEqualTo("LIVE");
        assertThat(server.site("2--" + slug, "/").body()).contains("preview version two");
        await(() -> github.comments("octocat/site", 2), list -> list.size() == 1
                && list.get(0).body().contains(next.substring(0, 7)));

        HttpResponse<String> closed = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                pullRequest("closed", 2, "feature", next), hookSecret, GitHubWebhooks.newDeliveryId());
        github.closePullRequest("octocat/site", 2);
        assertThat(closed.statusCode()).isEqualTo(200);
        assertThat(json(closed).get("reason").asText()).contains("its preview was removed");
        assertThat(server.site("2--" + slug, "/").statusCode()).isEqualTo(404);
        assertThat(server.site(slug, "/").body()).contains("third version");

        // reopened: the preview is back
        github.openPullRequest("octocat/site", 2, "feature");
        HttpResponse<String> reopened = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                pullRequest("reopened", 2, "feature", next), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(reopened.statusCode()).as(reopened.body()).isEqualTo(202);
        assertThat(server.awaitFinal(json(reopened).get("deploymentId").asLong()).get("status").asText())
                .isEqualTo("LIVE");
        assertThat(server.site("2--" + slug, "/").body()).contains("preview version two");
    }

    @Test
    @Order(6)
    void aPreviewWhosePullRequestIsGoneAtGitHubIsSweptAway() throws Exception {
        // pull request 2 is closed at GitHub but its "closed" delivery never arrives
        github.closePullRequest("octocat/site", 2);

        await(() -> {
            try {
                return server.site("2--" + slug, "/").statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, status -> status == 404);
        assertThat(server.json("GET", "/api/v1/projects/" + projectId + "/previews", null, 200).get("items"))
                .isEmpty();
    }

    @Test
    @Order(7)
    void aForksPullRequestIsBuiltOnlyWhenAllowedAndThenWithoutSecrets() throws Exception {
        HttpResponse<String> secret = server.api("PUT", "/api/v1/projects/" + projectId
                + "/variables/DEPLOY_KEY?environment=preview", Map.of("value", "preview-secret-value-0123",
                "secret", true));
        assertThat(secret.statusCode()).as(secret.body()).isBetween(200, 201);
        String sha = repository.branchTip("feature").orElseThrow();
        github.openPullRequest("octocat/site", 3, "feature");

        HttpResponse<String> refused = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                fromFork(pullRequest("opened", 3, "feature", sha)), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(json(refused).get("reason").asText()).contains("pull requests from forks are not built");

        server.json("PUT", "/api/v1/projects/" + projectId + "/preview-settings", Map.of("forkPreviews", true), 200);
        HttpResponse<String> built = GitHubWebhooks.postSigned(hookUrl, "pull_request",
                fromFork(pullRequest("synchronize", 3, "feature", sha)), hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(built.statusCode()).as(built.body()).isEqualTo(202);
        long deploymentId = json(built).get("deploymentId").asLong();
        JsonNode deployment = server.awaitFinal(deploymentId);
        assertThat(deployment.get("status").asText()).isEqualTo("LIVE");
        assertThat(deployment.get("trusted").asBoolean()).isFalse();
        String log = server.api("GET", "/api/v1/deployments/" + deploymentId + "/log", null).body();
        assertThat(log).contains("Secrets are withheld").doesNotContain("DEPLOY_KEY");
        github.closePullRequest("octocat/site", 3);
    }

    @Test
    @Order(8)
    void withBranchPreviewsOnAPushToAnotherBranchGetsItsOwnSiteAndDeletingTheBranchRemovesIt() throws Exception {
        server.json("PUT", "/api/v1/projects/" + projectId + "/preview-settings", Map.of("branchPreviews", true), 200);
        String sha = repository.branchTip("feature").orElseThrow();

        HttpResponse<String> pushed = GitHubWebhooks.postSigned(hookUrl, "push", pushTo("feature", sha), hookSecret,
                GitHubWebhooks.newDeliveryId());

        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(202);
        assertThat(server.awaitFinal(json(pushed).get("deploymentId").asLong()).get("status").asText())
                .isEqualTo("LIVE");
        assertThat(server.site("feature--" + slug, "/").body()).contains("preview version two");

        ObjectNode deleted = (ObjectNode) JSON.readTree(pushTo("feature", sha));
        deleted.put("deleted", true);
        deleted.put("after", "0000000000000000000000000000000000000000");
        HttpResponse<String> gone = GitHubWebhooks.postSigned(hookUrl, "push", JSON.writeValueAsBytes(deleted),
                hookSecret, GitHubWebhooks.newDeliveryId());
        assertThat(json(gone).get("reason").asText()).contains("its preview was removed");
        assertThat(server.site("feature--" + slug, "/").statusCode()).isEqualTo(404);
    }

    @Test
    @Order(9)
    void theTokenAppearsInNoLogPageOrErrorEvenWhenGitHubRefusesTheClone() throws Exception {
        List<String> tokens = github.issuedTokens();
        assertThat(tokens).isNotEmpty();
        tokens.forEach(github::revokeToken);

        JsonNode failed = server.awaitFinal(server.json("POST", "/api/v1/projects/" + projectId + "/deployments",
                Map.of(), 201).get("id").asLong());

        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").asText()).contains("GitHub refused the token");
        String log = server.api("GET", "/api/v1/deployments/" + failed.get("id").asLong() + "/log", null).body();
        var seen = new StringBuilder(failed.toString()).append(log);
        for (String path : List.of("/", "/projects/" + projectId, "/projects/" + projectId + "/webhook",
                "/deployments/" + failed.get("id").asLong(), "/account", "/import/github")) {
            seen.append(browser.get(server.uri(path)).body());
        }
        seen.append(server.api("GET", "/api/v1/account/identities", null).body());
        for (Path file : Files.walk(server.home().resolve("logs")).filter(Files::isRegularFile).toList()) {
            seen.append(readText(file));
        }
        operatorLog.list.forEach(event -> {
            seen.append(event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                seen.append(ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
        });
        assertThat(operatorLog.list).as("the server's own log was captured").isNotEmpty();
        for (String token : tokens) {
            assertThat(seen.toString()).doesNotContain(token);
        }
        assertThat(seen.toString()).doesNotContain(hookSecret);
    }

    @Test
    @Order(10)
    void signingInAgainRenewsTheTokenAndDeletingTheProjectRemovesItsWebhook() throws Exception {
        List<HttpResponse<String>> hops = browser.follow(browser.get(server.uri("/auth/github/start")));
        assertThat(hops.get(hops.size() - 1).statusCode()).isEqualTo(200);
        JsonNode redeployed = server.awaitFinal(server.json("POST", "/api/v1/projects/" + projectId + "/deployments",
                Map.of(), 201).get("id").asLong());
        assertThat(redeployed.get("status").asText()).as("cloned with the renewed token").isEqualTo("LIVE");

        assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=" + slug, null).statusCode())
                .isEqualTo(204);

        assertThat(github.hooks("octocat/site")).isEmpty();
        HttpResponse<String> late = GitHubWebhooks.post(hookUrl, GitHubWebhooks.PING, hookSecret);
        assertThat(late.statusCode()).isEqualTo(404);
    }

    // --- helpers ---

    /** Everything the server logs for operators, unmasked: a token must not be there in the first place. */
    private static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>
            captureOperatorLog() {
        var appender = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        return appender;
    }

    /** The pull request as GitHub sends it when its head branch lives in someone's fork. */
    private static byte[] fromFork(byte[] pullRequest) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(pullRequest);
        ObjectNode headRepo = (ObjectNode) payload.get("pull_request").get("head").get("repo");
        headRepo.put("full_name", "mallory/site");
        ((ObjectNode) headRepo.get("owner")).put("login", "mallory");
        return JSON.writeValueAsBytes(payload);
    }

    /** The push fixture turned into a push of {@code sha} to {@code branch} of the stand-in repository. */
    private static byte[] pushTo(String branch, String sha) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(GitHubWebhooks.PUSH_NEW_BRANCH.body());
        payload.put("ref", "refs/heads/" + branch);
        payload.put("after", sha);
        payload.put("created", false);
        ((ObjectNode) payload.get("repository")).put("full_name", "octocat/site");
        return JSON.writeValueAsBytes(payload);
    }

    /** The pull request fixture turned into {@code action} of pull request {@code number} at {@code sha}. */
    private static byte[] pullRequest(String action, int number, String branch, String sha) throws Exception {
        ObjectNode payload = (ObjectNode) JSON.readTree(GitHubWebhooks.PULL_REQUEST_OPENED.body());
        payload.put("action", action);
        payload.put("number", number);
        ObjectNode pullRequest = (ObjectNode) payload.get("pull_request");
        pullRequest.put("number", number);
        pullRequest.put("state", action.equals("closed") ? "closed" : "open");
        ObjectNode head = (ObjectNode) pullRequest.get("head");
        head.put("ref", branch);
        head.put("sha", sha);
        return JSON.writeValueAsBytes(payload);
    }

    private static JsonNode latestDeployment() throws Exception {
        return server.json("GET", "/api/v1/projects/" + projectId + "/deployments?limit=1", null, 200)
                .get("items").get(0);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    /** The form fields of a page's form, with its anti-CSRF token. */
    private static String form(HttpResponse<String> page, String... namesAndValues) {
        Matcher token = CSRF.matcher(page.body());
        assertThat(token.find()).as("a CSRF token on the page").isTrue();
        var body = new StringBuilder("csrf=").append(URLEncoder.encode(token.group(1), StandardCharsets.UTF_8));
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.append('&').append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString();
    }

    private static String readText(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        if (file.toString().endsWith(".gz")) {
            try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                bytes = in.readAllBytes();
            }
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Polls {@code read} until {@code done} holds, for up to 30 s. */
    private static <T> T await(Supplier<T> read, java.util.function.Predicate<T> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        T value = read.get();
        while (!done.test(value) && Instant.now().isBefore(deadline)) {
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
            value = read.get();
        }
        assertThat(done.test(value)).as("waited 30 s for %s", value).isTrue();
        return value;
    }
}
