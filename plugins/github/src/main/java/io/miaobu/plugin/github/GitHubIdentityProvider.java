package io.miaobu.plugin.github;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.identity.AuthorizationRequest;
import io.miaobu.api.identity.AuthorizationResponse;
import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.api.identity.IdentityProvider;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.pf4j.Extension;

/**
 * Sign-in with GitHub (or GitHub Enterprise Server) through an OAuth App: the authorization-code flow with PKCE. The
 * host keeps {@code state} and the PKCE verifier; this class builds the authorize URL and exchanges the code.
 */
@Extension
public final class GitHubIdentityProvider extends GitHubExtension implements IdentityProvider {

    private final GitHubApi api;

    public GitHubIdentityProvider() {
        this(new GitHubApi());
    }

    GitHubIdentityProvider(GitHubApi api) {
        this.api = api;
    }

    /** For tests: retries wait {@code backoffBase}, then twice that. */
    GitHubIdentityProvider(Duration backoffBase) {
        this(new GitHubApi(backoffBase, Clock.systemUTC()));
    }

    @Override
    public URI authorizationUri(AuthorizationRequest request) {
        GitHubSettings settings = GitHubSettings.from(request.global()).requireOAuthApp();
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", request.redirectUri().toString());
        query.put("scope", settings.scopes());
        query.put("state", request.state());
        query.put("code_challenge", request.codeChallenge());
        query.put("code_challenge_method", "S256");
        query.put("allow_signup", "true");
        return URI.create(settings.web("/login/oauth/authorize") + "?" + query.entrySet().stream()
                .map(e -> GitHubApi.encode(e.getKey()) + "=" + GitHubApi.encode(e.getValue()))
                .collect(Collectors.joining("&")));
    }

    @Override
    public ExternalIdentity complete(AuthorizationResponse response) {
        GitHubSettings settings = GitHubSettings.from(response.global()).requireOAuthApp();
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", settings.clientId());
        form.put("client_secret", settings.clientSecret().reveal());
        form.put("code", response.code());
        form.put("redirect_uri", response.redirectUri().toString());
        form.put("code_verifier", response.codeVerifier());
        GitHubApi.Response answer = api.postForm(settings, settings.web("/login/oauth/access_token"), form);
        if (!answer.ok()) {
            throw new ExtensionException("GitHub refused to complete the sign-in (HTTP " + answer.status()
                    + "). Check the OAuth App's client ID and secret.");
        }
        JsonNode json = answer.json();
        // GitHub answers 200 with an error object when the code or the app's credentials are wrong
        if (json.hasNonNull("error")) {
            throw new ExtensionException(exchangeError(json.path("error").asText(),
                    json.path("error_description").asText("")));
        }
        String accessToken = json.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            throw new ExtensionException("GitHub's answer to the sign-in had no access token.");
        }
        Secret token = Secret.of(accessToken);
        JsonNode user = GitHubApi.require(api.get(settings, token, "/user"), "signed-in user").json();
        String id = user.path("id").asText("");
        String login = user.path("login").asText("");
        if (id.isEmpty() || login.isEmpty()) {
            throw new ExtensionException("GitHub's answer about the signed-in user had no id or login.");
        }
        String name = user.path("name").isTextual() ? user.path("name").asText() : "";
        return new ExternalIdentity(id, login, name, email(settings, token, user), token);
    }

    /** The profile's public email, else the primary verified one (needs user:email), else none. */
    private String email(GitHubSettings settings, Secret token, JsonNode user) {
        if (user.path("email").isTextual() && !user.path("email").asText().isBlank()) {
            return user.path("email").asText().strip();
        }
        GitHubApi.Response emails = api.get(settings, token, "/user/emails");
        if (!emails.ok()) {
            return "";
        }
        for (JsonNode email : emails.json()) {
            if (email.path("primary").asBoolean(false) && email.path("verified").asBoolean(false)) {
                return email.path("email").asText("");
            }
        }
        return "";
    }

    private static String exchangeError(String error, String description) {
        return switch (error) {
            case "bad_verification_code" -> "GitHub did not accept the sign-in code: it has expired, was already"
                    + " used, or does not belong to this sign-in. Sign in again.";
            case "incorrect_client_credentials" -> "GitHub did not accept the OAuth App's client ID or secret; an"
                    + " administrator must check the GitHub plugin's settings.";
            case "redirect_uri_mismatch" -> "GitHub refused the callback URL: the OAuth App's Authorization"
                    + " callback URL must be this server's <public URL>/auth/github/callback.";
            case "unverified_user_email" -> "GitHub refused the sign-in: the account's email is not verified yet.";
            default -> "GitHub refused the sign-in (" + error + (description.isEmpty() ? "" : ": " + description)
                    + ").";
        };
    }
}
