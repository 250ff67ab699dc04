package io.miaobu.plugin.github;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GitHub's REST API over the JDK's HTTP client: the headers GitHub asks for, retries with exponential backoff on 5xx,
 * 429 and network errors (resilience4j), waiting out an exhausted rate limit when it resets soon enough, and failures
 * turned into sentences. The token travels only in the {@code Authorization} header; no message or log line has it.
 *
 * <p>Thread-safe; one instance per extension. The base URLs come from the admin's settings, not from users, so the
 * plugin uses its own client rather than the host's outbound rules for user-supplied addresses.
 */
final class GitHubApi {

    static final String API_VERSION = "2022-11-28";
    static final int ATTEMPTS = 3;
    /** How often one call may wait for a rate limit before giving up: a reset that does not free calls is a fault. */
    private static final int RATE_LIMIT_WAITS = 2;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);
    private static final Logger LOG = LoggerFactory.getLogger(GitHubApi.class);

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final Retry retry;
    private final Clock clock;

    GitHubApi() {
        this(Duration.ofSeconds(1), Clock.systemUTC());
    }

    /**
     * @param backoffBase the wait before the second attempt; the third waits twice as long
     * @param clock       for reading rate-limit reset times
     */
    GitHubApi(Duration backoffBase, Clock clock) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.clock = clock;
        this.retry = Retry.of("github", RetryConfig.<Response>custom()
                .maxAttempts(ATTEMPTS)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(backoffBase, 2.0))
                .retryOnResult(GitHubApi::isTransientFailure)
                .retryExceptions(IOException.class)
                .failAfterMaxAttempts(false)
                .build());
    }

    /** One answer of GitHub's. {@code json} is {@link MissingNode} when the body is empty or not JSON. */
    record Response(int status, HttpHeaders headers, JsonNode json) {

        boolean ok() {
            return status / 100 == 2;
        }

        /** The {@code rel="next"} page, from the {@code Link} header. */
        Optional<URI> next() {
            return headers.firstValue("Link").flatMap(link -> LinkHeader.parse(link).next());
        }

        /** GitHub's {@code message}, with the messages of {@code errors} when there are any. */
        String message() {
            String message = json.path("message").asText("");
            List<String> details = new ArrayList<>();
            for (JsonNode error : json.path("errors")) {
                String detail = error.isTextual() ? error.asText() : error.path("message").asText("");
                if (detail.isEmpty() && error.has("code")) {
                    detail = error.path("field").asText("") + " " + error.path("code").asText("");
                }
                if (!detail.isBlank()) {
                    details.add(detail.strip());
                }
            }
            return details.isEmpty() ? message : message + " (" + String.join("; ", details) + ")";
        }
    }

    /** A refusal from GitHub, with its HTTP status for callers that treat some (404, 422) as answers. */
    static final class GitHubApiException extends ExtensionException {

        private static final long serialVersionUID = 1L;
        private final int status;

        GitHubApiException(int status, String userMessage) {
            super(userMessage);
            this.status = status;
        }

        GitHubApiException(int status, String userMessage, Throwable cause) {
            super(userMessage, cause);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    Response get(GitHubSettings settings, Secret token, String path) {
        return send(settings, token, "GET", settings.api(path), null);
    }

    Response post(GitHubSettings settings, Secret token, String path, Object body) {
        return send(settings, token, "POST", settings.api(path), body);
    }

    Response patch(GitHubSettings settings, Secret token, String path, Object body) {
        return send(settings, token, "PATCH", settings.api(path), body);
    }

    Response delete(GitHubSettings settings, Secret token, String path) {
        return send(settings, token, "DELETE", settings.api(path), null);
    }

    /**
     * Every item of a paginated list, following {@code Link: rel="next"} for at most {@code maxPages} pages. Only
     * pages below the API URL are followed, so the token is never sent to another host.
     */
    List<JsonNode> getAll(GitHubSettings settings, Secret token, String path, int maxPages, String subject) {
        List<JsonNode> items = new ArrayList<>();
        URI uri = settings.api(path);
        for (int page = 0; page < maxPages && uri != null; page++) {
            Response response = require(send(settings, token, "GET", uri, null), subject);
            response.json().forEach(items::add);
            uri = response.next().filter(next -> next.toString().startsWith(settings.apiUrl() + "/")).orElse(null);
        }
        return items;
    }

    /** An HTML-form POST to GitHub's web host (the OAuth token exchange), answered in JSON. */
    Response postForm(GitHubSettings settings, URI uri, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("User-Agent", "Miaobu")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return execute(settings, request);
    }

    /**
     * Sends one call with retries and rate-limit waits and returns GitHub's answer, whatever its status; see
     * {@link #require} for turning a refusal into an exception.
     *
     * @throws GitHubApiException when GitHub cannot be reached, or its rate limit stays used up too long
     */
    Response send(GitHubSettings settings, Secret token, String method, URI uri, Object body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/vnd.github+json")
                .header("X-GitHub-Api-Version", API_VERSION)
                .header("User-Agent", "Miaobu");
        if (token != null && !token.isEmpty()) {
            builder.header("Authorization", "Bearer " + token.reveal());
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            builder.header("Content-Type", "application/json");
            builder.method(method, HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
        }
        return execute(settings, builder.build());
    }

    private Response execute(GitHubSettings settings, HttpRequest request) {
        String where = settings.apiUrl().getHost();
        for (int waits = 0; ; waits++) {
            Response response;
            try {
                response = retry.executeCheckedSupplier(() -> once(request));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GitHubApiException(0, "The call to GitHub was cancelled.", e);
            } catch (HttpTimeoutException e) {
                throw new GitHubApiException(0, "GitHub at " + where + " did not answer in time; try again later.", e);
            } catch (ConnectException e) {
                throw new GitHubApiException(0, "Could not connect to GitHub at " + where + ".", e);
            } catch (IOException e) {
                throw new GitHubApiException(0, "Could not reach GitHub at " + where + " ("
                        + e.getClass().getSimpleName() + "); try again later.", e);
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable e) {
                throw new GitHubApiException(0, "The call to GitHub failed.", e);
            }
            Optional<Duration> limited = rateLimitWait(response);
            if (limited.isEmpty()) {
                return response;
            }
            Duration wait = limited.get();
            if (wait.compareTo(settings.rateLimitWait()) > 0 || waits >= RATE_LIMIT_WAITS) {
                throw new GitHubApiException(response.status(), rateLimitMessage(response));
            }
            LOG.info("GitHub rate limit reached for {} {}; waiting {} s", request.method(), request.uri().getPath(),
                    wait.toSeconds());
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GitHubApiException(response.status(), "The call to GitHub was cancelled while waiting for"
                        + " its rate limit to reset.", e);
            }
        }
    }

    private Response once(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        LOG.debug("GitHub {} {} -> {}", request.method(), request.uri().getPath(), answer.statusCode());
        return new Response(answer.statusCode(), answer.headers(), parse(answer.body()));
    }

    /**
     * Turns a refusal into an exception with a sentence about {@code subject} (e.g. "repository octo/site"); passes
     * a success through.
     */
    static Response require(Response response, String subject) {
        if (response.ok()) {
            return response;
        }
        throw failure(response, subject);
    }

    static GitHubApiException failure(Response response, String subject) {
        String message = response.message();
        return new GitHubApiException(response.status(), switch (response.status()) {
            case 401 -> "GitHub refused the token: it was revoked or has expired. Sign in with GitHub again.";
            case 403 -> "GitHub refused access to " + subject + (message.isEmpty() ? "" : " (" + message + ")")
                    + ": the token lacks the permission. Creating webhooks needs admin rights on the repository.";
            case 404 -> "GitHub has no " + subject + ", or the token cannot see it.";
            case 422 -> "GitHub refused the request for " + subject + ": " + (message.isEmpty() ? "invalid request"
                    : message) + ".";
            default -> "GitHub answered HTTP " + response.status() + " for " + subject
                    + (message.isEmpty() ? "." : ": " + message + ".");
        });
    }

    /** 5xx, and a 429 that is neither a used-up primary limit nor a secondary one with {@code Retry-After}. */
    private static boolean isTransientFailure(Response response) {
        return response.status() >= 500
                || response.status() == 429 && !isPrimaryLimit(response) && retryAfter(response).isEmpty();
    }

    /** How long to wait before asking again, when GitHub answered with a rate limit. */
    Optional<Duration> rateLimitWait(Response response) {
        if (response.status() != 403 && response.status() != 429) {
            return Optional.empty();
        }
        if (isPrimaryLimit(response)) {
            long reset = header(response, "X-RateLimit-Reset").orElse(clock.instant().getEpochSecond() + 60);
            // the reset is a whole second; one more second makes sure it has passed
            long seconds = Math.max(0, reset - clock.instant().getEpochSecond()) + 1;
            return Optional.of(Duration.ofSeconds(seconds));
        }
        return retryAfter(response).stream().mapToObj(Duration::ofSeconds).findFirst();
    }

    private String rateLimitMessage(Response response) {
        if (isPrimaryLimit(response)) {
            OptionalLong reset = header(response, "X-RateLimit-Reset");
            String until = reset.isPresent()
                    ? CLOCK_TIME.format(Instant.ofEpochSecond(reset.getAsLong())) + " UTC" : "later";
            return "GitHub's API rate limit for this token is used up until " + until + ".";
        }
        return "GitHub asked Miaobu to slow down (secondary rate limit) for "
                + retryAfter(response).orElse(0) + " seconds; try again later.";
    }

    private static boolean isPrimaryLimit(Response response) {
        return header(response, "X-RateLimit-Remaining").orElse(-1) == 0;
    }

    private static OptionalLong retryAfter(Response response) {
        return header(response, "Retry-After");
    }

    private static OptionalLong header(Response response, String name) {
        Optional<String> value = response.headers().firstValue(name);
        if (value.isEmpty() || !value.get().strip().matches("\\d{1,19}")) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(value.get().strip()));
    }

    private static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    private static byte[] toJson(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
