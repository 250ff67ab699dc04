package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.miaobu.api.Secret;
import io.miaobu.plugin.github.GitHubApi.GitHubApiException;
import io.miaobu.plugin.github.standin.GitHubStandIn;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP layer against the stand-in: headers, retries, rate limits and refusals in words. */
class GitHubApiTest {

    @TempDir
    Path temp;

    private GitHubStandIn github;
    private GitHubApi api;
    private GitHubSettings settings;
    private Secret token;

    @BeforeEach
    void start() throws Exception {
        github = GitHubStandIn.start(temp.resolve("github"));
        token = Secret.of(github.addUser("octo", 7, "octo@example.com"));
        api = new GitHubApi(Duration.ofMillis(10), Clock.systemUTC());
        settings = GitHubSettings.from(github.settings());
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void sendsGitHubsHeadersAndTheTokenAsBearer() {
        GitHubApi.Response response = api.get(settings, token, "/user");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("login").asText()).isEqualTo("octo");
        GitHubStandIn.Request request = github.apiRequests().get(0);
        assertThat(request.header("Accept")).contains("application/vnd.github+json");
        assertThat(request.header("X-GitHub-Api-Version")).contains("2022-11-28");
        assertThat(request.header("User-Agent")).contains("Miaobu");
        assertThat(request.header("Authorization")).contains("Bearer " + token.reveal());
    }

    @Test
    void retriesTwoBadGatewaysAndSucceedsOnTheThirdAttempt() {
        github.failNext(2, 502);

        GitHubApi.Response response = api.get(settings, token, "/user");

        assertThat(response.status()).isEqualTo(200);
        assertThat(github.apiRequests()).hasSize(3);
    }

    @Test
    void givesUpAfterThreeAttempts() {
        github.failNext(5, 503);

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class,
                () -> GitHubApi.require(api.get(settings, token, "/user"), "signed-in user"));

        assertThat(failure).hasMessage("GitHub answered HTTP 503 for signed-in user: Server Error.");
        assertThat(github.apiRequests()).hasSize(GitHubApi.ATTEMPTS);
    }

    @Test
    void retriesAConnectionClosedWithoutAnswer() {
        github.resetNextConnections(1);

        assertThat(api.get(settings, token, "/user").status()).isEqualTo(200);
        assertThat(github.apiRequests()).hasSize(2);
    }

    @Test
    void waitsForARateLimitThatResetsSoon() {
        github.exhaustRateLimit(1);

        GitHubApi.Response response = api.get(settings, token, "/user");

        assertThat(response.status()).isEqualTo(200);
        assertThat(github.apiRequests()).hasSize(2);
        assertThat(response.headers().firstValue("X-RateLimit-Remaining")).isPresent();
    }

    @Test
    void failsClearlyWhenTheRateLimitResetsTooLate() {
        github.exhaustRateLimit(3600);
        Instant reset = Instant.now().plusSeconds(3600);

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class,
                () -> api.get(settings, token, "/user"));

        String until = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC).format(reset);
        assertThat(failure).hasMessage("GitHub's API rate limit for this token is used up until " + until + " UTC.");
        assertThat(github.apiRequests()).hasSize(1);
    }

    @Test
    void honoursRetryAfterOfASecondaryLimit() {
        github.secondaryRateLimit(1, 1);

        assertThat(api.get(settings, token, "/user").status()).isEqualTo(200);
        assertThat(github.apiRequests()).hasSize(2);
    }

    @Test
    void failsASecondaryLimitLongerThanTheConfiguredWait() {
        github.secondaryRateLimit(1, 120);
        GitHubSettings impatient = GitHubSettings.from(github.settings(Map.of("rate-limit-wait", "5")));

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class,
                () -> api.get(impatient, token, "/user"));

        assertThat(failure).hasMessageContaining("secondary rate limit").hasMessageContaining("120 seconds");
    }

    @Test
    void explainsARevokedToken() {
        github.revokeToken(token.reveal());

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class,
                () -> GitHubApi.require(api.get(settings, token, "/user"), "signed-in user"));

        assertThat(failure.status()).isEqualTo(401);
        assertThat(failure).hasMessage("GitHub refused the token: it was revoked or has expired. Sign in with GitHub"
                + " again.");
        assertThat(failure.getMessage()).doesNotContain(token.reveal());
    }

    @Test
    void explainsARepositoryTheTokenCannotSee() {
        github.addUser("someone", 8, "someone@example.com");
        github.createRepository("someone", "secret-site", true);

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class, () -> GitHubApi.require(
                api.get(settings, token, "/repos/someone/secret-site"), "repository someone/secret-site"));

        assertThat(failure.status()).isEqualTo(404);
        assertThat(failure).hasMessage("GitHub has no repository someone/secret-site, or the token cannot see it.");
    }

    @Test
    void explainsThatGitHubCannotBeReached() throws Exception {
        GitHubSettings nowhere = GitHubSettings.from(io.miaobu.api.config.ConfigValues.of(Map.of(
                "api-url", "http://127.0.0.1:" + freePort() + "/api/v3")));

        GitHubApiException failure = catchThrowableOfType(GitHubApiException.class,
                () -> api.get(nowhere, token, "/user"));

        assertThat(failure).hasMessage("Could not connect to GitHub at 127.0.0.1.");
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
