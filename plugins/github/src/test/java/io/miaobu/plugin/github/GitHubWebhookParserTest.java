package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.source.WebhookDelivery;
import io.miaobu.api.source.WebhookEvent;
import io.miaobu.api.source.WebhookRejectedException;
import io.miaobu.plugin.github.standin.GitHubWebhooks;
import io.miaobu.plugin.github.standin.GitHubWebhooks.Payload;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class GitHubWebhookParserTest {

    private static final String SECRET = "whsec-7d1f0c2b";
    private static final List<Payload> PAYLOADS = GitHubWebhooks.ALL;
    private static final List<Payload> PULL_REQUESTS = List.of(GitHubWebhooks.PULL_REQUEST_OPENED,
            GitHubWebhooks.PULL_REQUEST_SYNCHRONIZE, GitHubWebhooks.PULL_REQUEST_REOPENED,
            GitHubWebhooks.PULL_REQUEST_CLOSED);

    private final GitHubSourceProvider provider = new GitHubSourceProvider();

    @ParameterizedTest
    @FieldSource("PAYLOADS")
    void acceptsEveryPayloadSignedLikeGitHub(Payload payload) {
        byte[] body = payload.body();

        WebhookEvent event = provider.parseWebhook(delivery(payload.event(), body,
                GitHubWebhooks.sign(SECRET, body)));

        assertThat(event.deliveryId()).isEqualTo("d-1");
    }

    @ParameterizedTest
    @FieldSource("PAYLOADS")
    void refusesEveryPayloadSignedWithAnotherSecret(Payload payload) {
        byte[] body = payload.body();

        assertRefused(delivery(payload.event(), body, GitHubWebhooks.sign("other-secret", body)), 401);
    }

    @ParameterizedTest
    @FieldSource("PAYLOADS")
    void refusesEveryPayloadWhoseBodyChangedAfterSigning(Payload payload) {
        String signature = GitHubWebhooks.sign(SECRET, payload.body());
        byte[] changed = (payload.text() + " ").getBytes(StandardCharsets.UTF_8);

        assertRefused(delivery(payload.event(), changed, signature), 401);
    }

    @ParameterizedTest
    @FieldSource("PAYLOADS")
    void refusesEveryPayloadWithoutSignature(Payload payload) {
        WebhookRejectedException refused = assertRefused(delivery(payload.event(), payload.body(), null), 401);

        assertThat(refused).hasMessageContaining("X-Hub-Signature-256 is missing");
    }

    @ParameterizedTest
    @FieldSource("PAYLOADS")
    void refusesTheRightDigestUnderAnotherAlgorithmPrefix(Payload payload) {
        String hex = GitHubWebhooks.sign(SECRET, payload.body()).substring("sha256=".length());

        assertRefused(delivery(payload.event(), payload.body(), "sha1=" + hex), 401);
        assertRefused(delivery(payload.event(), payload.body(), hex), 401);
    }

    @Test
    void checksTheSignatureBeforeLookingAtTheEvent() {
        byte[] body = "not json".getBytes(StandardCharsets.UTF_8);

        assertRefused(delivery("no_such_event", body, "sha256=00"), 401);
    }

    @Test
    void readsPingAsPing() {
        assertThat(parse(GitHubWebhooks.PING)).isEqualTo(new WebhookEvent.Ping("d-1"));
    }

    @Test
    void ignoresTagPushes() {
        WebhookEvent event = parse(GitHubWebhooks.PUSH_TAG_DELETED);

        assertThat(event).isInstanceOf(WebhookEvent.Ignored.class);
        assertThat(((WebhookEvent.Ignored) event).reason()).startsWith("Tag pushes are not deployed")
                .contains("simple-tag");
    }

    @Test
    void readsThePushOfANewBranch() throws Exception {
        JsonNode json = GitHubApi.JSON.readTree(GitHubWebhooks.PUSH_NEW_BRANCH.body());

        WebhookEvent event = parse(GitHubWebhooks.PUSH_NEW_BRANCH);

        assertThat(event).isEqualTo(new WebhookEvent.Push("d-1", "master", json.path("after").asText(), false));
        assertThat(((WebhookEvent.Push) event).commitSha()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    }

    @Test
    void readsADeletedBranchAsDeletedPushWithoutCommit() {
        String body = GitHubWebhooks.PUSH_NEW_BRANCH.text()
                .replace("\"deleted\": false", "\"deleted\": true")
                .replace("\"after\": \"6113728f27ae82c7b1a177c8d03f9e96e0adf246\"",
                        "\"after\": \"0000000000000000000000000000000000000000\"");
        assertThat(body).contains("\"deleted\": true");

        WebhookEvent event = parse("push", body.getBytes(StandardCharsets.UTF_8));

        assertThat(event).isEqualTo(new WebhookEvent.Push("d-1", "master", "", true));
    }

    @ParameterizedTest
    @FieldSource("PULL_REQUESTS")
    void readsPullRequestsAsTheirJsonSays(Payload payload) throws Exception {
        JsonNode json = GitHubApi.JSON.readTree(payload.body());
        JsonNode head = json.path("pull_request").path("head");

        WebhookEvent event = parse(payload);

        assertThat(event).isEqualTo(new WebhookEvent.PullRequest("d-1", json.path("number").asInt(),
                json.path("action").asText(), head.path("ref").asText(), head.path("sha").asText(), false));
        assertThat(((WebhookEvent.PullRequest) event).action())
                .isEqualTo(payload.resource().replace("pull_request-", "").replace(".payload.json", ""));
        assertThat(((WebhookEvent.PullRequest) event).number()).isEqualTo(2);
        assertThat(((WebhookEvent.PullRequest) event).headBranch()).isEqualTo("changes");
    }

    @Test
    void marksAPullRequestFromAnotherRepositoryAsFromAFork() {
        String body = GitHubWebhooks.PULL_REQUEST_OPENED.text();
        int head = body.indexOf("\"head\"");
        int name = body.indexOf("\"full_name\": \"Codertocat/Hello-World\"", head);
        String forked = body.substring(0, name) + "\"full_name\": \"forker/Hello-World\""
                + body.substring(name + "\"full_name\": \"Codertocat/Hello-World\"".length());

        WebhookEvent event = parse("pull_request", forked.getBytes(StandardCharsets.UTF_8));

        assertThat(((WebhookEvent.PullRequest) event).fromFork()).isTrue();
    }

    @Test
    void ignoresKnownEventsMiaobuDoesNotUse() {
        WebhookEvent event = parse("issue_comment", "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(event).isInstanceOf(WebhookEvent.Ignored.class);
        assertThat(((WebhookEvent.Ignored) event).reason()).contains("issue_comment");
    }

    @Test
    void refusesUnknownEventsAndMalformedBodies() {
        byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
        byte[] broken = "{\"ref\": ".getBytes(StandardCharsets.UTF_8);

        assertThat(assertRefused(delivery("made_up", json, GitHubWebhooks.sign(SECRET, json)), 400))
                .hasMessageContaining("made_up");
        assertRefused(delivery("push", broken, GitHubWebhooks.sign(SECRET, broken)), 400);
        assertRefused(delivery("pull_request", json, GitHubWebhooks.sign(SECRET, json)), 400);
        assertRefused(delivery(null, json, GitHubWebhooks.sign(SECRET, json)), 400);
    }

    @Test
    void neverShowsTheSecretOrTheExpectedSignature() {
        byte[] body = GitHubWebhooks.PING.body();
        String expected = GitHubWebhooks.sign(SECRET, body);

        WebhookRejectedException refused = assertRefused(delivery("ping", body, "sha256=abc"), 401);

        assertThat(refused.getMessage()).doesNotContain(SECRET).doesNotContain(expected.substring(7));
    }

    private WebhookEvent parse(Payload payload) {
        return parse(payload.event(), payload.body());
    }

    private WebhookEvent parse(String event, byte[] body) {
        return provider.parseWebhook(delivery(event, body, GitHubWebhooks.sign(SECRET, body)));
    }

    private WebhookRejectedException assertRefused(WebhookDelivery delivery, int status) {
        WebhookRejectedException refused = catchThrowableOfType(WebhookRejectedException.class,
                () -> provider.parseWebhook(delivery));
        assertThat(refused).as("refused").isNotNull();
        assertThat(refused.status()).isEqualTo(status);
        return refused;
    }

    private static WebhookDelivery delivery(String event, byte[] body, String signature) {
        Map<String, List<String>> headers = new java.util.LinkedHashMap<>(
                GitHubWebhooks.headers(event == null ? "" : event, "d-1", signature));
        if (event == null) {
            headers.remove("x-github-event");
        }
        return new WebhookDelivery(headers, body, Secret.of(SECRET), ConfigValues.EMPTY, ConfigValues.EMPTY);
    }
}
