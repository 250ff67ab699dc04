package io.miaobu.plugin.github;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.identity.AuthorizationRequest;
import io.miaobu.api.identity.AuthorizationResponse;
import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.plugin.github.standin.GitHubStandIn;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OAuth round trip against the stand-in, with the browser played by an HTTP client that stops at redirects. */
class GitHubIdentityProviderTest {

    private static final URI CALLBACK = URI.create("http://miaobu.test/auth/github/callback");
    private static final String VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

    @TempDir
    Path temp;

    private GitHubStandIn github;
    private final GitHubIdentityProvider provider = new GitHubIdentityProvider(Duration.ofMillis(10));
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void start() throws Exception {
        github = GitHubStandIn.start(temp);
        github.addUser("mona", 583231, "mona@example.com");
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void buildsTheAuthorizeUrlWithStateScopesAndChallenge() {
        URI uri = provider.authorizationUri(new AuthorizationRequest(github.settings(), CALLBACK, "st&te=1",
                challenge(VERIFIER)));

        assertThat(uri.toString()).startsWith(github.webUrl() + "/login/oauth/authorize?");
        Map<String, String> query = query(uri);
        assertThat(query).containsEntry("client_id", GitHubStandIn.CLIENT_ID)
                .containsEntry("redirect_uri", CALLBACK.toString())
                .containsEntry("scope", "repo read:user user:email")
                .containsEntry("state", "st&te=1")
                .containsEntry("code_challenge", challenge(VERIFIER))
                .containsEntry("code_challenge_method", "S256")
                .containsEntry("allow_signup", "true");
    }

    @Test
    void signsInThroughTheWholeFlow() throws Exception {
        String code = approve("state-1");

        ExternalIdentity identity = provider.complete(new AuthorizationResponse(github.settings(), CALLBACK, code,
                VERIFIER));

        assertThat(identity.externalId()).isEqualTo("583231");
        assertThat(identity.login()).isEqualTo("mona");
        assertThat(identity.displayName()).isEqualTo("Mona Example");
        assertThat(identity.email()).isEqualTo("mona@example.com");
        assertThat(github.issuedTokens()).containsExactly(identity.accessToken().reveal());
        GitHubStandIn.AuthorizeRequest authorize = github.authorizations().get(0);
        assertThat(authorize.state()).isEqualTo("state-1");
        assertThat(authorize.codeChallengeMethod()).isEqualTo("S256");
        assertThat(github.apiRequests()).extracting(GitHubStandIn.Request::path)
                .containsExactly("/user", "/user/emails");
    }

    @Test
    void takesThePublicProfileEmailWithoutAskingForTheList() throws Exception {
        github.addUser("hubot", 2, "Hubot", "hubot@example.com", true);
        github.signInAs("hubot");

        ExternalIdentity identity = provider.complete(new AuthorizationResponse(github.settings(), CALLBACK,
                approve("s"), VERIFIER));

        assertThat(identity.email()).isEqualTo("hubot@example.com");
        assertThat(github.apiRequests()).extracting(GitHubStandIn.Request::path).containsExactly("/user");
    }

    @Test
    void refusesACodeWhoseVerifierDoesNotMatchTheChallenge() throws Exception {
        String code = approve("state-2");

        ExtensionException refused = catchThrowableOfType(ExtensionException.class, () -> provider.complete(
                new AuthorizationResponse(github.settings(), CALLBACK, code, VERIFIER + "-forged")));

        assertThat(refused).hasMessageStartingWith("GitHub did not accept the sign-in code");
        assertThat(github.issuedTokens()).isEmpty();
    }

    @Test
    void refusesACodeUsedTwice() throws Exception {
        String code = approve("state-3");
        provider.complete(new AuthorizationResponse(github.settings(), CALLBACK, code, VERIFIER));

        ExtensionException refused = catchThrowableOfType(ExtensionException.class, () -> provider.complete(
                new AuthorizationResponse(github.settings(), CALLBACK, code, VERIFIER)));

        assertThat(refused).hasMessageStartingWith("GitHub did not accept the sign-in code");
    }

    @Test
    void explainsAWrongClientSecret() throws Exception {
        String code = approve("state-4");
        ConfigValues wrongSecret = ConfigValues.of(github.plainSettings(),
                Map.of("client-secret", io.miaobu.api.Secret.of("wrong")));

        ExtensionException refused = catchThrowableOfType(ExtensionException.class, () -> provider.complete(
                new AuthorizationResponse(wrongSecret, CALLBACK, code, VERIFIER)));

        assertThat(refused).hasMessageContaining("client ID or secret");
        assertThat(refused.getMessage()).doesNotContain("wrong");
    }

    @Test
    void sendsTheUserBackWithAccessDeniedWhenTheyCancel() throws Exception {
        github.denyAuthorization(true);

        URI back = redirect(provider.authorizationUri(new AuthorizationRequest(github.settings(), CALLBACK, "s-5",
                challenge(VERIFIER))));

        assertThat(query(back)).containsEntry("error", "access_denied").containsEntry("state", "s-5")
                .doesNotContainKey("code");
    }

    @Test
    void saysSignInIsNotSetUpWithoutClientId() {
        ExtensionException refused = catchThrowableOfType(ExtensionException.class, () -> provider.authorizationUri(
                new AuthorizationRequest(ConfigValues.EMPTY, CALLBACK, "s", challenge(VERIFIER))));

        assertThat(refused).hasMessageContaining("not set up");
    }

    @Test
    void validatesTheUrlsAndTheClientPair() {
        assertThat(provider.validate(ConfigValues.of(Map.of("web-url", "ftp://x", "api-url", "nonsense",
                "client-id", "abc")), ConfigValues.EMPTY))
                .extracting(io.miaobu.api.config.ConfigProblem::field)
                .containsExactlyInAnyOrder("web-url", "api-url", null);
        assertThat(provider.validate(github.settings(), ConfigValues.EMPTY)).isEmpty();
    }

    private String approve(String state) throws Exception {
        URI back = redirect(provider.authorizationUri(new AuthorizationRequest(github.settings(), CALLBACK, state,
                challenge(VERIFIER))));
        assertThat(back.toString()).startsWith(CALLBACK.toString());
        assertThat(query(back)).containsEntry("state", state);
        return query(back).get("code");
    }

    private URI redirect(URI authorize) throws Exception {
        HttpResponse<String> answer = browser.send(HttpRequest.newBuilder(authorize).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(302);
        return URI.create(answer.headers().firstValue("Location").orElseThrow());
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
        }
        return query;
    }

    private static String challenge(String verifier) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
