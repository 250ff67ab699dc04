package io.miaobu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.identity.AuthorizationRequest;
import io.miaobu.api.identity.AuthorizationResponse;
import io.miaobu.api.identity.ExternalIdentity;
import io.miaobu.api.identity.IdentityProvider;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A test-only identity provider for {@link OAuthStandIn}, written as a plugin would write one against the plugin API:
 * its endpoints and client credentials are its global settings, the secret one encrypted by the host.
 */
final class StandInIdentityProvider implements IdentityProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String id;
    private final String displayName;

    StandInIdentityProvider(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public ConfigSchema globalSettings() {
        return ConfigSchema.of(
                ConfigField.string("base-url", "Base URL", "Where the provider is").asRequired(),
                ConfigField.string("client-id", "Client ID", "").asRequired(),
                ConfigField.secret("client-secret", "Client secret", "").asRequired());
    }

    @Override
    public URI authorizationUri(AuthorizationRequest request) {
        ConfigValues settings = request.global();
        return URI.create(settings.get("base-url").orElseThrow() + "/authorize?response_type=code"
                + "&client_id=" + encode(settings.get("client-id").orElseThrow())
                + "&redirect_uri=" + encode(request.redirectUri().toString())
                + "&state=" + encode(request.state())
                + "&code_challenge=" + encode(request.codeChallenge()) + "&code_challenge_method=S256"
                + "&scope=read%3Auser");
    }

    @Override
    public ExternalIdentity complete(AuthorizationResponse response) {
        ConfigValues settings = response.global();
        String base = settings.get("base-url").orElseThrow();
        try {
            HttpResponse<String> token = http.send(HttpRequest.newBuilder(URI.create(base + "/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code"
                            + "&code=" + encode(response.code())
                            + "&redirect_uri=" + encode(response.redirectUri().toString())
                            + "&client_id=" + encode(settings.get("client-id").orElseThrow())
                            + "&client_secret=" + encode(settings.secret("client-secret").orElseThrow().reveal())
                            + "&code_verifier=" + encode(response.codeVerifier())))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (token.statusCode() != 200) {
                throw new ExtensionException(displayName + " refused the sign-in ("
                        + JSON.readTree(token.body()).path("error").asText() + "). Try again.");
            }
            Secret accessToken = Secret.of(JSON.readTree(token.body()).get("access_token").asText());
            HttpResponse<String> user = http.send(HttpRequest.newBuilder(URI.create(base + "/user"))
                    .header("Authorization", "Bearer " + accessToken.reveal()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (user.statusCode() != 200) {
                throw new ExtensionException(displayName + " did not say who you are (" + user.statusCode() + ").");
            }
            JsonNode person = JSON.readTree(user.body());
            return new ExternalIdentity(person.get("id").asText(), person.get("login").asText(),
                    person.path("name").asText(""), person.path("email").asText(""), accessToken);
        } catch (IOException e) {
            throw new ExtensionException(displayName + " cannot be reached.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExtensionException("Interrupted.", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
