package io.miaobu.plugin.github;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The server-wide GitHub settings, shared by {@link GitHubIdentityProvider} and {@link GitHubSourceProvider}: the host
 * stores settings per extension point and id, so both declare this same schema.
 *
 * @param clientId       the OAuth App's client id, or an empty string when sign-in is not set up
 * @param clientSecret   the OAuth App's client secret, or {@code null}
 * @param webUrl         GitHub's web address, without a trailing slash
 * @param apiUrl         GitHub's REST API address, without a trailing slash
 * @param scopes         the OAuth scopes asked for at sign-in, space-separated
 * @param rateLimitWait  how long a call may wait for an exhausted rate limit to reset before it fails
 */
record GitHubSettings(String clientId, Secret clientSecret, URI webUrl, URI apiUrl, String scopes,
                      Duration rateLimitWait) {

    static final String CLIENT_ID = "client-id";
    static final String CLIENT_SECRET = "client-secret";
    static final String WEB_URL = "web-url";
    static final String API_URL = "api-url";
    static final String SCOPES = "scopes";
    static final String RATE_LIMIT_WAIT = "rate-limit-wait";

    static final String DEFAULT_WEB_URL = "https://github.com";
    static final String DEFAULT_API_URL = "https://api.github.com";
    /**
     * {@code repo}: private repositories, and creating webhooks and commit statuses on any repository (GitHub has no
     * narrower OAuth scope for hooks or statuses). {@code read:user user:email}: the profile and verified email.
     */
    static final String DEFAULT_SCOPES = "repo read:user user:email";
    static final long DEFAULT_RATE_LIMIT_WAIT_SECONDS = 60;

    static final ConfigSchema SCHEMA = ConfigSchema.of(
            ConfigField.string(CLIENT_ID, "Client ID", "The Client ID of the OAuth App you registered on GitHub for"
                    + " this Miaobu server (Settings → Developer settings → OAuth Apps)."),
            ConfigField.secret(CLIENT_SECRET, "Client secret", "One of the OAuth App's client secrets. Stored"
                    + " encrypted."),
            new ConfigField(WEB_URL, "GitHub web URL", "https://github.com, or your GitHub Enterprise Server's"
                    + " address, e.g. https://ghe.example.", ConfigFieldType.URL, DEFAULT_WEB_URL, true, List.of()),
            new ConfigField(API_URL, "GitHub API URL", "https://api.github.com, or for GitHub Enterprise Server"
                    + " its address followed by /api/v3, e.g. https://ghe.example/api/v3.", ConfigFieldType.URL,
                    DEFAULT_API_URL, true, List.of()),
            new ConfigField(SCOPES, "OAuth scopes", "repo read:user user:email lets Miaobu clone private"
                    + " repositories and create webhooks and commit statuses. public_repo read:user user:email"
                    + " limits it to public repositories.", ConfigFieldType.STRING, DEFAULT_SCOPES, true, List.of()),
            new ConfigField(RATE_LIMIT_WAIT, "Rate-limit wait (seconds)", "When GitHub's API rate limit is used"
                    + " up, wait this long at most for it to reset before failing.", ConfigFieldType.INTEGER,
                    Long.toString(DEFAULT_RATE_LIMIT_WAIT_SECONDS), false, List.of()));

    /** Why these settings cannot be used; empty when they can. */
    static List<ConfigProblem> problems(ConfigValues values) {
        var problems = new ArrayList<ConfigProblem>();
        urlProblem(values.get(WEB_URL, DEFAULT_WEB_URL))
                .ifPresent(message -> problems.add(new ConfigProblem(WEB_URL, message)));
        urlProblem(values.get(API_URL, DEFAULT_API_URL))
                .ifPresent(message -> problems.add(new ConfigProblem(API_URL, message)));
        String scopes = values.get(SCOPES, DEFAULT_SCOPES);
        if (!scopes.matches("[A-Za-z0-9:_ ,-]+")) {
            problems.add(new ConfigProblem(SCOPES, "Scopes are names like repo or read:user, separated by spaces."));
        }
        String wait = values.get(RATE_LIMIT_WAIT).orElse("");
        if (!wait.isEmpty() && !wait.strip().matches("\\d{1,6}")) {
            problems.add(new ConfigProblem(RATE_LIMIT_WAIT, "Enter a whole number of seconds, 0 or more."));
        }
        if (values.get(CLIENT_ID).isPresent() != values.secret(CLIENT_SECRET).isPresent()) {
            problems.add(new ConfigProblem(null, "Enter both the client ID and the client secret, or neither."));
        }
        return problems;
    }

    /**
     * The settings, checked.
     *
     * @throws ExtensionException when they cannot be used
     */
    static GitHubSettings from(ConfigValues values) {
        List<ConfigProblem> problems = problems(values);
        if (!problems.isEmpty()) {
            throw new ExtensionException("The GitHub settings are invalid: " + problems.stream()
                    .map(p -> (p.field() == null ? "" : p.field() + ": ") + p.message())
                    .collect(Collectors.joining(" ")));
        }
        return new GitHubSettings(values.get(CLIENT_ID, "").strip(), values.secret(CLIENT_SECRET).orElse(null),
                base(values.get(WEB_URL, DEFAULT_WEB_URL)), base(values.get(API_URL, DEFAULT_API_URL)),
                String.join(" ", values.get(SCOPES, DEFAULT_SCOPES).strip().split("[\\s,]+")),
                Duration.ofSeconds(values.get(RATE_LIMIT_WAIT).map(String::strip).map(Long::parseLong)
                        .orElse(DEFAULT_RATE_LIMIT_WAIT_SECONDS)));
    }

    /** The sign-in settings, checked to be there. */
    GitHubSettings requireOAuthApp() {
        if (clientId.isEmpty() || clientSecret == null) {
            throw new ExtensionException("Sign-in with GitHub is not set up: an administrator must enter the OAuth"
                    + " App's client ID and secret in the GitHub plugin's settings.");
        }
        return this;
    }

    /** {@code path} below the API URL, e.g. {@code /user}. */
    URI api(String path) {
        return URI.create(apiUrl + path);
    }

    /** {@code path} below the web URL, e.g. {@code /login/oauth/authorize}. */
    URI web(String path) {
        return URI.create(webUrl + path);
    }

    private static URI base(String value) {
        String trimmed = value.strip();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return URI.create(trimmed);
    }

    private static Optional<String> urlProblem(String value) {
        URI uri;
        try {
            uri = new URI(value.strip());
        } catch (URISyntaxException e) {
            return Optional.of("This is not a valid URL (" + e.getReason() + ").");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return Optional.of("The URL must start with https://.");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            return Optional.of("The URL has no host name.");
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return Optional.of("Enter only the scheme, host, port and path, without user, query or fragment.");
        }
        return Optional.empty();
    }
}
