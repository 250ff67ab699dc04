package io.miaobu.plugin.github.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.miaobu.api.Secret;
import io.miaobu.api.config.ConfigValues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A local GitHub for tests: the OAuth endpoints, the REST API calls the github plugin makes, and git smart HTTP run by
 * the real {@code git http-backend} over bare repositories on disk. It answers with GitHub's documented status codes,
 * headers (rate-limit headers on every API answer, {@code Link} pagination) and JSON field names.
 *
 * <p>Point the plugin at it with {@link #settings()} (or {@link #webUrl()} as {@code web-url} and {@link #apiUrl()} as
 * {@code api-url}, like a GitHub Enterprise Server at {@code {base}/api/v3}). Thread-safe; bound to 127.0.0.1 on a
 * free port.
 *
 * <pre>{@code
 * try (GitHubStandIn github = GitHubStandIn.start(temp)) {
 *     String token = github.addUser("octo", 1, "octo@example.com");
 *     StandInRepository repo = github.createRepository("octo", "site", true);
 *     repo.pushFrom(localWorkingRepo);              // every branch of a local repository
 *     github.openPullRequest("octo/site", 7, "feature");
 *     ...
 *     github.statuses("octo/site", sha);            // what the plugin posted
 * }
 * }</pre>
 */
public final class GitHubStandIn implements AutoCloseable {

    public static final String API_PREFIX = "/api/v3";
    public static final String CLIENT_ID = "Ov23liStandInClient";
    public static final String CLIENT_SECRET = "stand-in-client-secret-0123456789abcdef";
    public static final int RATE_LIMIT = 5000;
    private static final String DOCS = "https://docs.github.com/rest";

    private static final Pattern REPO_PATH = Pattern.compile("/repos/([^/]+)/([^/]+)(/.*)?");
    private static final Pattern GIT_PATH = Pattern.compile("/([^/]+)/([^/]+)\\.git(/.*)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path root;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private final Map<String, User> usersByLogin = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, StandInRepository> repositories = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<AuthorizeRequest> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong(1_000_000);

    private volatile String browserUser;
    private volatile boolean denyAuthorization;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 502;
    private final AtomicInteger resetsLeft = new AtomicInteger();
    private final AtomicInteger secondaryLimitsLeft = new AtomicInteger();
    private volatile int retryAfterSeconds;
    private volatile Instant exhaustedUntil;
    private final AtomicInteger used = new AtomicInteger();

    private GitHubStandIn(Path root, Clock clock) throws IOException {
        this.root = Files.createDirectories(root);
        this.clock = clock;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "github-stand-in");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a stand-in keeping its bare repositories below {@code directory}. */
    public static GitHubStandIn start(Path directory) throws IOException {
        return new GitHubStandIn(directory, Clock.systemUTC());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------- addresses

    /** The web address, like {@code https://github.com}: OAuth and git live here. No trailing slash. */
    public URI webUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The REST API's address, {@code webUrl() + "/api/v3"} like GitHub Enterprise Server. No trailing slash. */
    public URI apiUrl() {
        return URI.create(webUrl() + API_PREFIX);
    }

    /** The plugin's global settings pointing at this stand-in, with its OAuth App's client id and secret. */
    public ConfigValues settings() {
        return settings(Map.of());
    }

    /** {@link #settings()} with further plain settings, e.g. {@code rate-limit-wait}. */
    public ConfigValues settings(Map<String, String> more) {
        Map<String, String> plain = new LinkedHashMap<>(plainSettings());
        plain.putAll(more);
        return ConfigValues.of(plain, Map.of("client-secret", Secret.of(CLIENT_SECRET)));
    }

    /** The plain settings ({@code client-id}, {@code web-url}, {@code api-url}); the secret is {@link #CLIENT_SECRET}. */
    public Map<String, String> plainSettings() {
        return Map.of("client-id", CLIENT_ID, "web-url", webUrl().toString(), "api-url", apiUrl().toString());
    }

    // ---------------------------------------------------------------------------------------------- users

    /**
     * Adds a user with a private profile email (GitHub's default: {@code email} is {@code null} in {@code /user} and
     * the address is the primary verified one in {@code /user/emails}).
     *
     * @return a token for the user with scopes {@code repo read:user user:email}
     */
    public String addUser(String login, long id, String email) {
        return addUser(login, id, login.substring(0, 1).toUpperCase(Locale.ROOT) + login.substring(1) + " Example",
                email, false);
    }

    /** Adds a user; {@code publicEmail} puts the email into the {@code /user} profile too. Returns a token. */
    public String addUser(String login, long id, String name, String email, boolean publicEmail) {
        usersByLogin.put(login, new User(login, id, name, email, publicEmail));
        if (browserUser == null) {
            browserUser = login;
        }
        return newToken(login, "repo read:user user:email");
    }

    /** Issues another token for an existing user. */
    public String newToken(String login, String scopes) {
        User user = requireUser(login);
        String token = "gho_" + randomString(36);
        tokens.put(token, new Token(user.login(), scopes));
        return token;
    }

    /** Revokes a token: the API answers 401 Bad credentials, git 401. */
    public void revokeToken(String token) {
        tokens.remove(token);
    }

    /** The user the "browser" is signed in as on the authorize page; the first user added until changed. */
    public void signInAs(String login) {
        browserUser = requireUser(login).login();
    }

    /** Whether the browser user clicks "Cancel" on the authorize page: the redirect carries error=access_denied. */
    public void denyAuthorization(boolean deny) {
        denyAuthorization = deny;
    }

    /** Every request to {@code /login/oauth/authorize}, in order. */
    public List<AuthorizeRequest> authorizations() {
        return List.copyOf(authorizations);
    }

    /** The tokens issued through the OAuth flow (not those of {@link #addUser}), newest last. */
    public List<String> issuedTokens() {
        return tokens.entrySet().stream().filter(e -> e.getValue().fromOAuth())
                .sorted(Comparator.comparing(e -> e.getValue().issuedAt())).map(Map.Entry::getKey).toList();
    }

    // ---------------------------------------------------------------------------------------------- repositories

    /**
     * Creates an empty bare repository {@code owner/name} owned by user {@code owner} (who must exist), with default
     * branch {@code main}. Push into it with {@link StandInRepository#pushFrom}, or over smart HTTP with a token.
     */
    public StandInRepository createRepository(String owner, String name, boolean privateRepo) {
        requireUser(owner);
        String fullName = owner + "/" + name;
        Path dir = root.resolve(owner).resolve(name + ".git");
        try (Git git = Git.init().setBare(true).setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            StoredConfig config = git.getRepository().getConfig();
            config.setBoolean("uploadpack", null, "allowAnySHA1InWant", true);
            config.setBoolean("http", null, "receivepack", true);
            config.save();
        } catch (GitAPIException | IOException e) {
            throw new IllegalStateException("cannot create " + dir, e);
        }
        StandInRepository repository = new StandInRepository(this, ids.incrementAndGet(), owner, name, privateRepo,
                dir, clock.instant());
        repositories.put(fullName, repository);
        return repository;
    }

    /** The repository, which must exist. */
    public StandInRepository repository(String fullName) {
        StandInRepository repository = repositories.get(fullName);
        if (repository == null) {
            throw new IllegalArgumentException("no repository " + fullName);
        }
        return repository;
    }

    /** Gives {@code login} access to a repository; {@code admin} also lets them manage its webhooks. */
    public void addCollaborator(String fullName, String login, boolean admin) {
        requireUser(login);
        repository(fullName).collaborators.put(login, admin);
    }

    /** Opens pull request {@code number} from {@code headBranch} (which must exist) into the default branch. */
    public void openPullRequest(String fullName, int number, String headBranch) {
        StandInRepository repository = repository(fullName);
        repository.pulls.put(number, new PullRequest(number, headBranch, "open"));
    }

    /** Closes a pull request: {@code GET /pulls/{n}} answers {@code "state": "closed"}. */
    public void closePullRequest(String fullName, int number) {
        StandInRepository repository = repository(fullName);
        PullRequest pull = repository.pulls.get(number);
        if (pull == null) {
            throw new IllegalArgumentException("no pull request " + number + " in " + fullName);
        }
        repository.pulls.put(number, new PullRequest(number, pull.headBranch(), "closed"));
    }

    /** The commit statuses posted on {@code sha}, oldest first. */
    public List<CommitStatusRecord> statuses(String fullName, String sha) {
        return repository(fullName).statuses.stream().filter(s -> s.sha().equals(sha)).toList();
    }

    /** The repository's webhooks, with their secrets as the plugin sent them. */
    public List<Hook> hooks(String fullName) {
        return List.copyOf(repository(fullName).hooks.values());
    }

    /** The comments on issue or pull request {@code number}, oldest first. */
    public List<IssueComment> comments(String fullName, int number) {
        return repository(fullName).comments.stream().filter(c -> c.issue() == number).toList();
    }

    // ---------------------------------------------------------------------------------------------- faults

    /** The next {@code count} API answers are {@code status} (502, 503, ...) with GitHub's HTML-free error body. */
    public void failNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
    }

    /** The next {@code count} API requests have their connection closed without an answer. */
    public void resetNextConnections(int count) {
        resetsLeft.set(count);
    }

    /** The primary rate limit is used up until {@code seconds} from now: API calls answer 403 with Remaining 0. */
    public void exhaustRateLimit(long seconds) {
        exhaustedUntil = clock.instant().plusSeconds(seconds);
    }

    /** The next {@code count} API calls hit a secondary rate limit: 403 with {@code Retry-After}. */
    public void secondaryRateLimit(int count, int retryAfter) {
        retryAfterSeconds = retryAfter;
        secondaryLimitsLeft.set(count);
    }

    // ---------------------------------------------------------------------------------------------- request log

    /** Every request received, in order (including {@code Authorization} headers: do not print them). */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The API requests only, with paths relative to {@link #apiUrl()}. */
    public List<Request> apiRequests() {
        return requests.stream().filter(r -> r.path().startsWith(API_PREFIX + "/"))
                .map(r -> new Request(r.method(), r.path().substring(API_PREFIX.length()), r.query(), r.headers(),
                        r.body()))
                .toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    // ---------------------------------------------------------------------------------------------- values

    /**
     * One request as received.
     *
     * @param path    the decoded path, e.g. {@code /api/v3/user/repos}
     * @param query   the raw query, or an empty string
     * @param headers the headers, names in lower case
     * @param body    the body as UTF-8 text; empty for git's binary requests
     */
    public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {

        public Optional<String> header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
        }

        /** The query's parameters, decoded. */
        public Map<String, String> parameters() {
            return parseQuery(query);
        }

        /** The body as JSON. */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return method + " " + path + (query.isEmpty() ? "" : "?" + query);
        }
    }

    /** The query of one visit to the authorize page. */
    public record AuthorizeRequest(String clientId, String redirectUri, String scope, String state,
                                   String codeChallenge, String codeChallengeMethod, String allowSignup) {
    }

    /** A commit status as posted. */
    public record CommitStatusRecord(long id, String sha, String state, String targetUrl, String description,
                                     String context, String creator) {
    }

    /** A webhook; {@code secret} is what GitHub would sign with (its API never shows it). */
    public record Hook(long id, String url, String contentType, String secret, String insecureSsl,
                       List<String> events, boolean active) {
    }

    /** A comment on an issue or pull request. */
    public record IssueComment(long id, int issue, String body, String author, Instant createdAt,
                               Instant updatedAt) {
    }

    record User(String login, long id, String name, String email, boolean publicEmail) {
    }

    record Token(String login, String scopes, boolean fromOAuth, Instant issuedAt) {

        Token(String login, String scopes) {
            this(login, scopes, false, Instant.now());
        }
    }

    record Grant(String login, String clientId, String redirectUri, String scope, String challenge,
                 Instant expires) {
    }

    record PullRequest(int number, String headBranch, String state) {
    }

    /** A repository on the stand-in: a bare git repository plus its hooks, statuses, comments and pulls. */
    public static final class StandInRepository {

        private final GitHubStandIn github;
        private final long id;
        private final String owner;
        private final String name;
        private final boolean privateRepo;
        private final Path bareDirectory;
        private volatile Instant pushedAt;
        final Map<String, Boolean> collaborators = new ConcurrentHashMap<>();
        final Map<Long, Hook> hooks = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<CommitStatusRecord> statuses = new CopyOnWriteArrayList<>();
        final List<IssueComment> comments = new CopyOnWriteArrayList<>();
        final Map<Integer, PullRequest> pulls = new ConcurrentHashMap<>();

        StandInRepository(GitHubStandIn github, long id, String owner, String name, boolean privateRepo,
                          Path bareDirectory, Instant createdAt) {
            this.github = github;
            this.id = id;
            this.owner = owner;
            this.name = name;
            this.privateRepo = privateRepo;
            this.bareDirectory = bareDirectory;
            this.pushedAt = createdAt;
        }

        public String fullName() {
            return owner + "/" + name;
        }

        /** What GitHub's {@code clone_url} says: {@code {web}/{owner}/{name}.git}. */
        public String cloneUrl() {
            return github.webUrl() + "/" + fullName() + ".git";
        }

        public String htmlUrl() {
            return github.webUrl() + "/" + fullName();
        }

        public Path bareDirectory() {
            return bareDirectory;
        }

        /** Pushes every branch of a local (working or bare) repository into this one, forced. */
        public void pushFrom(Path localRepository) {
            try (Git git = Git.open(localRepository.toFile())) {
                git.push().setRemote(bareDirectory.toUri().toString())
                        .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*")).call();
                pushedAt = Instant.now();
            } catch (GitAPIException | IOException e) {
                throw new IllegalStateException("cannot push " + localRepository + " to " + fullName(), e);
            }
        }

        /** The tip of a branch, if it exists. */
        public Optional<String> branchTip(String branch) {
            try (Repository repo = open()) {
                Ref ref = repo.exactRef(Constants.R_HEADS + branch);
                return ref == null ? Optional.empty() : Optional.of(ref.getObjectId().name());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Repository open() throws IOException {
            return new FileRepositoryBuilder().setGitDir(bareDirectory.toFile()).setMustExist(true).build();
        }

        boolean visibleTo(String login) {
            return !privateRepo || owner.equals(login) || collaborators.containsKey(login);
        }

        boolean adminFor(String login) {
            return owner.equals(login) || Boolean.TRUE.equals(collaborators.get(login));
        }
    }

    // ---------------------------------------------------------------------------------------------- dispatch

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            String path = uri.getPath();
            String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
            Matcher git = GIT_PATH.matcher(path);
            if (git.matches()) {
                log(exchange, path, query, "");
                gitHttp(exchange, git.group(1), git.group(2), git.group(3), query);
                return;
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            log(exchange, path, query, new String(body, StandardCharsets.UTF_8));
            if (path.equals("/login/oauth/authorize")) {
                authorize(exchange, parseQuery(query));
            } else if (path.equals("/login/oauth/access_token")) {
                accessToken(exchange, parseQuery(new String(body, StandardCharsets.UTF_8)));
            } else if (path.startsWith(API_PREFIX + "/")) {
                api(exchange, exchange.getRequestMethod(), path.substring(API_PREFIX.length()), parseQuery(query),
                        body);
            } else {
                sendText(exchange, 404, "Not Found");
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void log(HttpExchange exchange, String path, String query, String body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) ->
                headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        requests.add(new Request(exchange.getRequestMethod(), path, query, Map.copyOf(headers), body));
    }

    // ---------------------------------------------------------------------------------------------- OAuth

    private void authorize(HttpExchange exchange, Map<String, String> query) throws IOException {
        authorizations.add(new AuthorizeRequest(query.get("client_id"), query.get("redirect_uri"),
                query.get("scope"), query.get("state"), query.get("code_challenge"),
                query.get("code_challenge_method"), query.get("allow_signup")));
        if (!CLIENT_ID.equals(query.get("client_id"))) {
            sendText(exchange, 404, "Not Found");
            return;
        }
        String redirect = query.get("redirect_uri");
        if (redirect == null || !redirect.startsWith("http")) {
            sendText(exchange, 400, "The redirect_uri MUST match the registered callback URL for this application.");
            return;
        }
        String state = query.get("state");
        String location;
        if (denyAuthorization || browserUser == null) {
            location = redirect + (redirect.contains("?") ? "&" : "?") + "error=access_denied"
                    + "&error_description=" + encode("The user has denied your application access.")
                    + "&error_uri=" + encode("https://docs.github.com/apps/managing-oauth-apps/troubleshooting-"
                    + "authorization-request-errors/#access-denied")
                    + (state == null ? "" : "&state=" + encode(state));
        } else {
            String code = randomString(20);
            codes.put(code, new Grant(browserUser, CLIENT_ID, redirect, query.getOrDefault("scope", ""),
                    query.get("code_challenge"), clock.instant().plus(10, ChronoUnit.MINUTES)));
            location = redirect + (redirect.contains("?") ? "&" : "?") + "code=" + code
                    + (state == null ? "" : "&state=" + encode(state));
        }
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
    }

    private void accessToken(HttpExchange exchange, Map<String, String> form) throws IOException {
        if (!"POST".equals(exchange.getRequestMethod())) {
            sendText(exchange, 404, "Not Found");
            return;
        }
        boolean wantsJson = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Accept")).orElse("")
                .contains("application/json");
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            oauthError(exchange, wantsJson, "incorrect_client_credentials",
                    "The client_id and/or client_secret passed are incorrect.",
                    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request"
                            + "-errors/#incorrect-client-credentials");
            return;
        }
        Grant grant = codes.remove(Optional.ofNullable(form.get("code")).orElse(""));
        if (grant == null || grant.expires().isBefore(clock.instant())) {
            badCode(exchange, wantsJson);
            return;
        }
        if (form.get("redirect_uri") != null && !form.get("redirect_uri").equals(grant.redirectUri())) {
            oauthError(exchange, wantsJson, "redirect_uri_mismatch",
                    "The redirect_uri MUST match the registered callback URL for this application.",
                    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/"
                            + "#redirect-uri-mismatch2");
            return;
        }
        if (grant.challenge() != null) {
            String verifier = form.getOrDefault("code_verifier", "");
            if (!grant.challenge().equals(s256(verifier))) {
                badCode(exchange, wantsJson);
                return;
            }
        }
        String token = "gho_" + randomString(36);
        tokens.put(token, new Token(grant.login(), grant.scope(), true, Instant.now()));
        ObjectNode json = NODES.objectNode();
        json.put("access_token", token);
        json.put("token_type", "bearer");
        json.put("scope", grant.scope().replace(' ', ','));
        if (wantsJson) {
            sendJson(exchange, 200, json, false);
        } else {
            sendForm(exchange, "access_token=" + token + "&scope=" + encode(json.path("scope").asText())
                    + "&token_type=bearer");
        }
    }

    private void badCode(HttpExchange exchange, boolean wantsJson) throws IOException {
        oauthError(exchange, wantsJson, "bad_verification_code", "The code passed is incorrect or expired.",
                "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-"
                        + "errors/#bad-verification-code");
    }

    /** GitHub answers token-exchange errors with 200 and an error object. */
    private void oauthError(HttpExchange exchange, boolean wantsJson, String error, String description, String uri)
            throws IOException {
        if (wantsJson) {
            ObjectNode json = NODES.objectNode();
            json.put("error", error);
            json.put("error_description", description);
            json.put("error_uri", uri);
            sendJson(exchange, 200, json, false);
        } else {
            sendForm(exchange, "error=" + error + "&error_description=" + encode(description) + "&error_uri="
                    + encode(uri));
        }
    }

    // ---------------------------------------------------------------------------------------------- REST API

    private void api(HttpExchange exchange, String method, String path, Map<String, String> query, byte[] body)
            throws IOException {
        if (resetsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            // the server closes the connection without an answer: the client sees it reset
            throw new IOException("stand-in: connection reset on purpose");
        }
        String authorization = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")).orElse("");
        String login = null;
        if (!authorization.isEmpty()) {
            String value = authorization.replaceFirst("(?i)^(bearer|token)\\s+", "");
            Token token = tokens.get(value);
            if (token == null || value.equals(authorization)) {
                error(exchange, 401, "Bad credentials", "https://docs.github.com/rest");
                return;
            }
            login = token.login();
            exchange.getResponseHeaders().add("X-OAuth-Scopes", token.scopes().replace(" ", ", "));
            exchange.getResponseHeaders().add("X-Accepted-OAuth-Scopes", "");
        }
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            byte[] text = ("{\"message\":\"Server Error\"}").getBytes(StandardCharsets.UTF_8);
            rateLimitHeaders(exchange, false);
            exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
            exchange.sendResponseHeaders(failureStatus, text.length);
            exchange.getResponseBody().write(text);
            return;
        }
        Instant exhausted = exhaustedUntil;
        if (exhausted != null && clock.instant().isBefore(exhausted)) {
            exchange.getResponseHeaders().add("X-RateLimit-Limit", Integer.toString(RATE_LIMIT));
            exchange.getResponseHeaders().add("X-RateLimit-Remaining", "0");
            exchange.getResponseHeaders().add("X-RateLimit-Reset", Long.toString(exhausted.getEpochSecond()));
            exchange.getResponseHeaders().add("X-RateLimit-Used", Integer.toString(RATE_LIMIT));
            exchange.getResponseHeaders().add("X-RateLimit-Resource", "core");
            ObjectNode json = NODES.objectNode();
            json.put("message", "API rate limit exceeded for user ID " + (login == null ? 0
                    : usersByLogin.get(login).id()) + ". If you reach out to GitHub Support for help, please"
                    + " include the request ID.");
            json.put("documentation_url", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
            sendJson(exchange, 403, json, false);
            return;
        }
        if (secondaryLimitsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
            error(exchange, 403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try"
                    + " again.", "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
                    + "#about-secondary-rate-limits");
            return;
        }
        used.incrementAndGet();
        route(exchange, method, path, query, body, login);
    }

    private void route(HttpExchange exchange, String method, String path, Map<String, String> query, byte[] body,
                       String login) throws IOException {
        if (path.equals("/user") && method.equals("GET")) {
            if (login == null) {
                error(exchange, 401, "Requires authentication", DOCS + "/users/users#get-the-authenticated-user");
                return;
            }
            sendJson(exchange, 200, userJson(usersByLogin.get(login), true), true);
            return;
        }
        if (path.equals("/user/emails") && method.equals("GET")) {
            if (login == null) {
                error(exchange, 401, "Requires authentication", DOCS + "/users/emails");
                return;
            }
            User user = usersByLogin.get(login);
            ArrayNode emails = NODES.arrayNode();
            ObjectNode primary = emails.addObject();
            primary.put("email", user.email());
            primary.put("primary", true);
            primary.put("verified", true);
            primary.put("visibility", user.publicEmail() ? "public" : "private");
            ObjectNode noreply = emails.addObject();
            noreply.put("email", user.id() + "+" + user.login() + "@users.noreply.github.com");
            noreply.put("primary", false);
            noreply.put("verified", true);
            noreply.putNull("visibility");
            sendJson(exchange, 200, emails, true);
            return;
        }
        if (path.equals("/user/repos") && method.equals("GET")) {
            if (login == null) {
                error(exchange, 401, "Requires authentication", DOCS + "/repos/repos#list-repositories-for-the-"
                        + "authenticated-user");
                return;
            }
            String user = login;
            List<JsonNode> repos = repositories.values().stream()
                    .filter(r -> r.owner.equals(user) || r.collaborators.containsKey(user))
                    .sorted(Comparator.comparing((StandInRepository r) -> r.pushedAt).reversed()
                            .thenComparing(StandInRepository::fullName))
                    .map(r -> (JsonNode) repoJson(r, user)).toList();
            sendPage(exchange, repos, query);
            return;
        }
        Matcher repoPath = REPO_PATH.matcher(path);
        if (!repoPath.matches()) {
            error(exchange, 404, "Not Found", DOCS);
            return;
        }
        StandInRepository repo = repositories.get(repoPath.group(1) + "/" + repoPath.group(2));
        if (repo == null || !repo.visibleTo(login)) {
            error(exchange, 404, "Not Found", DOCS + "/repos/repos#get-a-repository");
            return;
        }
        String rest = repoPath.group(3) == null ? "" : repoPath.group(3);
        repositoryRoute(exchange, method, rest, query, body, login, repo);
    }

    private void repositoryRoute(HttpExchange exchange, String method, String rest, Map<String, String> query,
                                 byte[] body, String login, StandInRepository repo) throws IOException {
        Matcher m;
        if (rest.isEmpty() && method.equals("GET")) {
            sendJson(exchange, 200, repoJson(repo, login), true);
        } else if ((m = Pattern.compile("/branches/(.+)").matcher(rest)).matches() && method.equals("GET")) {
            branch(exchange, repo, m.group(1));
        } else if (rest.equals("/hooks")) {
            if (!requireAdmin(exchange, repo, login)) {
                return;
            }
            if (method.equals("POST")) {
                createHook(exchange, repo, json(body));
            } else if (method.equals("GET")) {
                List<JsonNode> hooks;
                synchronized (repo.hooks) {
                    hooks = repo.hooks.values().stream().map(h -> (JsonNode) hookJson(repo, h)).toList();
                }
                sendPage(exchange, hooks, query);
            } else {
                error(exchange, 404, "Not Found", DOCS);
            }
        } else if ((m = Pattern.compile("/hooks/(\\d+)").matcher(rest)).matches()) {
            if (!requireAdmin(exchange, repo, login)) {
                return;
            }
            long id = Long.parseLong(m.group(1));
            Hook hook = repo.hooks.get(id);
            if (hook == null) {
                error(exchange, 404, "Not Found", DOCS + "/webhooks/repos");
            } else if (method.equals("GET")) {
                sendJson(exchange, 200, hookJson(repo, hook), true);
            } else if (method.equals("PATCH")) {
                updateHook(exchange, repo, hook, json(body));
            } else if (method.equals("DELETE")) {
                repo.hooks.remove(id);
                rateLimitHeaders(exchange, true);
                exchange.sendResponseHeaders(204, -1);
            } else {
                error(exchange, 404, "Not Found", DOCS);
            }
        } else if ((m = Pattern.compile("/statuses/([0-9a-fA-F]+)").matcher(rest)).matches()
                && method.equals("POST")) {
            createStatus(exchange, repo, m.group(1).toLowerCase(Locale.ROOT), json(body), login);
        } else if ((m = Pattern.compile("/commits/([0-9a-fA-F]+)/statuses").matcher(rest)).matches()
                && method.equals("GET")) {
            String sha = m.group(1).toLowerCase(Locale.ROOT);
            List<JsonNode> statuses = new ArrayList<>();
            List<CommitStatusRecord> newestFirst = new ArrayList<>(statuses(repo.fullName(), sha));
            Collections.reverse(newestFirst);
            newestFirst.forEach(s -> statuses.add(statusJson(repo, s)));
            sendPage(exchange, statuses, query);
        } else if ((m = Pattern.compile("/issues/(\\d+)/comments").matcher(rest)).matches()) {
            int number = Integer.parseInt(m.group(1));
            if (!repo.pulls.containsKey(number)) {
                error(exchange, 404, "Not Found", DOCS + "/issues/comments");
            } else if (method.equals("GET")) {
                sendPage(exchange, comments(repo.fullName(), number).stream()
                        .map(c -> commentJson(repo, c)).toList(), query);
            } else if (method.equals("POST")) {
                String text = json(body).path("body").asText("");
                if (text.isEmpty()) {
                    validationFailed(exchange, "IssueComment", "body", "missing_field");
                    return;
                }
                Instant now = Instant.now();
                IssueComment comment = new IssueComment(ids.incrementAndGet(), number, text, login, now, now);
                repo.comments.add(comment);
                sendJson(exchange, 201, commentJson(repo, comment), true);
            } else {
                error(exchange, 404, "Not Found", DOCS);
            }
        } else if ((m = Pattern.compile("/issues/comments/(\\d+)").matcher(rest)).matches()
                && method.equals("PATCH")) {
            long id = Long.parseLong(m.group(1));
            synchronized (repo.comments) {
                Optional<IssueComment> found = repo.comments.stream().filter(c -> c.id() == id).findFirst();
                if (found.isEmpty()) {
                    error(exchange, 404, "Not Found", DOCS + "/issues/comments#update-an-issue-comment");
                    return;
                }
                IssueComment old = found.get();
                IssueComment updated = new IssueComment(id, old.issue(), json(body).path("body").asText(old.body()),
                        old.author(), old.createdAt(), Instant.now());
                repo.comments.set(repo.comments.indexOf(old), updated);
                sendJson(exchange, 200, commentJson(repo, updated), true);
            }
        } else if ((m = Pattern.compile("/pulls/(\\d+)").matcher(rest)).matches() && method.equals("GET")) {
            PullRequest pull = repo.pulls.get(Integer.parseInt(m.group(1)));
            if (pull == null) {
                error(exchange, 404, "Not Found", DOCS + "/pulls/pulls#get-a-pull-request");
            } else {
                sendJson(exchange, 200, pullJson(repo, pull), true);
            }
        } else {
            error(exchange, 404, "Not Found", DOCS);
        }
    }

    private boolean requireAdmin(HttpExchange exchange, StandInRepository repo, String login) throws IOException {
        if (login == null) {
            error(exchange, 401, "Requires authentication", DOCS + "/webhooks/repos");
            return false;
        }
        if (!repo.adminFor(login)) {
            // what GitHub answers an OAuth token of a user without admin rights
            error(exchange, 404, "Not Found", DOCS + "/webhooks/repos#create-a-repository-webhook");
            return false;
        }
        return true;
    }

    private void branch(HttpExchange exchange, StandInRepository repo, String branch) throws IOException {
        try (Repository git = repo.open(); RevWalk walk = new RevWalk(git)) {
            Ref ref = git.exactRef(Constants.R_HEADS + branch);
            if (ref == null) {
                error(exchange, 404, "Branch not found", DOCS + "/branches/branches#get-a-branch");
                return;
            }
            RevCommit commit = walk.parseCommit(ref.getObjectId());
            ObjectNode json = NODES.objectNode();
            json.put("name", branch);
            ObjectNode commitJson = json.putObject("commit");
            commitJson.put("sha", commit.name());
            commitJson.put("node_id", "C_" + commit.name().substring(0, 12));
            ObjectNode inner = commitJson.putObject("commit");
            ObjectNode author = inner.putObject("author");
            author.put("name", commit.getAuthorIdent().getName());
            author.put("email", commit.getAuthorIdent().getEmailAddress());
            author.put("date", commit.getAuthorIdent().getWhenAsInstant().toString());
            inner.put("message", commit.getFullMessage());
            inner.putObject("tree").put("sha", commit.getTree().name());
            commitJson.put("url", apiUrl() + "/repos/" + repo.fullName() + "/commits/" + commit.name());
            commitJson.put("html_url", repo.htmlUrl() + "/commit/" + commit.name());
            ObjectNode links = json.putObject("_links");
            links.put("self", apiUrl() + "/repos/" + repo.fullName() + "/branches/" + branch);
            links.put("html", repo.htmlUrl() + "/tree/" + branch);
            json.put("protected", false);
            json.put("protection_url", apiUrl() + "/repos/" + repo.fullName() + "/branches/" + branch
                    + "/protection");
            sendJson(exchange, 200, json, true);
        }
    }

    private void createHook(HttpExchange exchange, StandInRepository repo, JsonNode body) throws IOException {
        JsonNode config = body.path("config");
        String url = config.path("url").asText("");
        if (url.isEmpty()) {
            validationFailed(exchange, "Hook", "url", "missing_field");
            return;
        }
        synchronized (repo.hooks) {
            if (repo.hooks.values().stream().anyMatch(h -> h.url().equals(url))) {
                ObjectNode json = NODES.objectNode();
                json.put("message", "Validation Failed");
                ObjectNode error = json.putArray("errors").addObject();
                error.put("resource", "Hook");
                error.put("code", "custom");
                error.put("message", "Hook already exists on this repository");
                json.put("documentation_url", DOCS + "/webhooks/repos#create-a-repository-webhook");
                json.put("status", "422");
                sendJson(exchange, 422, json, true);
                return;
            }
            List<String> events = new ArrayList<>();
            body.path("events").forEach(e -> events.add(e.asText()));
            Hook hook = new Hook(ids.incrementAndGet(), url, config.path("content_type").asText("form"),
                    config.path("secret").asText(null), config.path("insecure_ssl").asText("0"),
                    events.isEmpty() ? List.of("push") : List.copyOf(events), body.path("active").asBoolean(true));
            repo.hooks.put(hook.id(), hook);
            exchange.getResponseHeaders().add("Location", apiUrl() + "/repos/" + repo.fullName() + "/hooks/"
                    + hook.id());
            sendJson(exchange, 201, hookJson(repo, hook), true);
        }
    }

    private void updateHook(HttpExchange exchange, StandInRepository repo, Hook hook, JsonNode body)
            throws IOException {
        JsonNode config = body.path("config");
        List<String> events = new ArrayList<>();
        body.path("events").forEach(e -> events.add(e.asText()));
        Hook updated = new Hook(hook.id(), config.path("url").asText(hook.url()),
                config.path("content_type").asText(hook.contentType()),
                config.has("secret") ? config.path("secret").asText() : hook.secret(),
                config.path("insecure_ssl").asText(hook.insecureSsl()),
                events.isEmpty() ? hook.events() : List.copyOf(events), body.path("active").asBoolean(hook.active()));
        repo.hooks.put(hook.id(), updated);
        sendJson(exchange, 200, hookJson(repo, updated), true);
    }

    private void createStatus(HttpExchange exchange, StandInRepository repo, String sha, JsonNode body, String login)
            throws IOException {
        if (login == null) {
            error(exchange, 401, "Requires authentication", DOCS + "/commits/statuses");
            return;
        }
        String state = body.path("state").asText("");
        if (!Set.of("error", "failure", "pending", "success").contains(state)) {
            validationFailed(exchange, "Status", "state", "invalid");
            return;
        }
        try (Repository git = repo.open()) {
            if (sha.length() != 40 || !git.getObjectDatabase().has(ObjectId.fromString(sha))) {
                ObjectNode json = NODES.objectNode();
                json.put("message", "No commit found for SHA: " + sha);
                json.put("documentation_url", DOCS + "/commits/statuses#create-a-commit-status");
                json.put("status", "422");
                sendJson(exchange, 422, json, true);
                return;
            }
        }
        CommitStatusRecord status = new CommitStatusRecord(ids.incrementAndGet(), sha, state,
                body.path("target_url").isTextual() ? body.path("target_url").asText() : null,
                body.path("description").isTextual() ? body.path("description").asText() : null,
                body.path("context").asText("default"), login);
        repo.statuses.add(status);
        sendJson(exchange, 201, statusJson(repo, status), true);
    }

    // ---------------------------------------------------------------------------------------------- JSON shapes

    private ObjectNode userJson(User user, boolean self) {
        ObjectNode json = NODES.objectNode();
        json.put("login", user.login());
        json.put("id", user.id());
        json.put("node_id", "U_" + Base64.getEncoder().encodeToString(Long.toString(user.id()).getBytes(
                StandardCharsets.UTF_8)));
        json.put("avatar_url", webUrl() + "/avatars/u/" + user.id());
        json.put("url", apiUrl() + "/users/" + user.login());
        json.put("html_url", webUrl() + "/" + user.login());
        json.put("type", "User");
        json.put("site_admin", false);
        if (self) {
            json.put("name", user.name());
            json.putNull("company");
            if (user.publicEmail()) {
                json.put("email", user.email());
            } else {
                json.putNull("email");
            }
            json.put("created_at", "2020-01-01T00:00:00Z");
        }
        return json;
    }

    private ObjectNode repoJson(StandInRepository repo, String login) {
        ObjectNode json = NODES.objectNode();
        json.put("id", repo.id);
        json.put("node_id", "R_" + repo.id);
        json.put("name", repo.name);
        json.put("full_name", repo.fullName());
        json.set("owner", userJson(usersByLogin.get(repo.owner), false));
        json.put("private", repo.privateRepo);
        json.put("visibility", repo.privateRepo ? "private" : "public");
        json.put("html_url", repo.htmlUrl());
        json.put("description", (String) null);
        json.put("fork", false);
        json.put("url", apiUrl() + "/repos/" + repo.fullName());
        json.put("hooks_url", apiUrl() + "/repos/" + repo.fullName() + "/hooks");
        json.put("clone_url", repo.cloneUrl());
        json.put("git_url", "git://127.0.0.1/" + repo.fullName() + ".git");
        json.put("ssh_url", "git@127.0.0.1:" + repo.fullName() + ".git");
        json.put("default_branch", "main");
        json.put("pushed_at", repo.pushedAt.truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("archived", false);
        json.put("disabled", false);
        if (login != null) {
            ObjectNode permissions = json.putObject("permissions");
            boolean admin = repo.adminFor(login);
            boolean push = admin || repo.collaborators.containsKey(login);
            permissions.put("admin", admin);
            permissions.put("maintain", admin);
            permissions.put("push", push);
            permissions.put("triage", push);
            permissions.put("pull", true);
        }
        return json;
    }

    private ObjectNode hookJson(StandInRepository repo, Hook hook) {
        ObjectNode json = NODES.objectNode();
        String url = apiUrl() + "/repos/" + repo.fullName() + "/hooks/" + hook.id();
        json.put("type", "Repository");
        json.put("id", hook.id());
        json.put("name", "web");
        json.put("active", hook.active());
        ArrayNode events = json.putArray("events");
        hook.events().forEach(events::add);
        ObjectNode config = json.putObject("config");
        config.put("content_type", hook.contentType());
        config.put("insecure_ssl", hook.insecureSsl());
        if (hook.secret() != null) {
            config.put("secret", "********");
        }
        config.put("url", hook.url());
        json.put("updated_at", "2026-11-26T10:00:00Z");
        json.put("created_at", "2026-11-26T10:00:00Z");
        json.put("url", url);
        json.put("test_url", url + "/test");
        json.put("ping_url", url + "/pings");
        json.put("deliveries_url", url + "/deliveries");
        ObjectNode last = json.putObject("last_response");
        last.putNull("code");
        last.put("status", "unused");
        last.putNull("message");
        return json;
    }

    private ObjectNode statusJson(StandInRepository repo, CommitStatusRecord status) {
        ObjectNode json = NODES.objectNode();
        json.put("url", apiUrl() + "/repos/" + repo.fullName() + "/statuses/" + status.sha());
        json.put("id", status.id());
        json.put("node_id", "SC_" + status.id());
        json.put("state", status.state());
        json.put("description", status.description());
        json.put("target_url", status.targetUrl());
        json.put("context", status.context());
        json.put("created_at", "2026-11-26T10:00:00Z");
        json.put("updated_at", "2026-11-26T10:00:00Z");
        json.set("creator", userJson(usersByLogin.get(status.creator()), false));
        return json;
    }

    private ObjectNode commentJson(StandInRepository repo, IssueComment comment) {
        ObjectNode json = NODES.objectNode();
        json.put("id", comment.id());
        json.put("node_id", "IC_" + comment.id());
        json.put("url", apiUrl() + "/repos/" + repo.fullName() + "/issues/comments/" + comment.id());
        json.put("html_url", repo.htmlUrl() + "/pull/" + comment.issue() + "#issuecomment-" + comment.id());
        json.put("issue_url", apiUrl() + "/repos/" + repo.fullName() + "/issues/" + comment.issue());
        json.put("body", comment.body());
        json.set("user", userJson(usersByLogin.get(comment.author()), false));
        json.put("created_at", comment.createdAt().truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("updated_at", comment.updatedAt().truncatedTo(ChronoUnit.SECONDS).toString());
        json.put("author_association", repo.owner.equals(comment.author()) ? "OWNER" : "COLLABORATOR");
        return json;
    }

    private ObjectNode pullJson(StandInRepository repo, PullRequest pull) {
        ObjectNode json = NODES.objectNode();
        json.put("url", apiUrl() + "/repos/" + repo.fullName() + "/pulls/" + pull.number());
        json.put("id", 10_000L + pull.number());
        json.put("html_url", repo.htmlUrl() + "/pull/" + pull.number());
        json.put("number", pull.number());
        json.put("state", pull.state());
        json.put("locked", false);
        json.put("title", "Pull request " + pull.number());
        json.set("user", userJson(usersByLogin.get(repo.owner), false));
        ObjectNode head = json.putObject("head");
        head.put("label", repo.owner + ":" + pull.headBranch());
        head.put("ref", pull.headBranch());
        head.put("sha", repo.branchTip(pull.headBranch()).orElse("0".repeat(40)));
        head.set("repo", repoJson(repo, null));
        ObjectNode base = json.putObject("base");
        base.put("label", repo.owner + ":main");
        base.put("ref", "main");
        base.put("sha", repo.branchTip("main").orElse("0".repeat(40)));
        base.set("repo", repoJson(repo, null));
        json.put("merged", false);
        return json;
    }

    // ---------------------------------------------------------------------------------------------- git smart HTTP

    private void gitHttp(HttpExchange exchange, String owner, String name, String rest, String query)
            throws IOException {
        String login = basicAuthLogin(exchange.getRequestHeaders());
        if (login == null) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"GitHub\"");
            sendText(exchange, 401, "Invalid username or token. Password authentication is not supported for Git"
                    + " operations.\n");
            return;
        }
        StandInRepository repo = repositories.get(owner + "/" + name);
        if (repo == null || !repo.visibleTo(login)) {
            exchange.getRequestBody().readAllBytes();
            sendText(exchange, 404, "Repository not found.\n");
            return;
        }
        List<String> command = List.of("git", "http-backend");
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        String path = System.getenv("PATH");
        env.clear();
        env.put("PATH", path == null ? "/usr/bin:/bin" : path);
        env.put("HOME", root.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("PATH_INFO", "/" + owner + "/" + name + ".git" + rest);
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("QUERY_STRING", query);
        env.put("REMOTE_USER", login);
        env.put("REMOTE_ADDR", "127.0.0.1");
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        Headers headers = exchange.getRequestHeaders();
        Optional.ofNullable(headers.getFirst("Content-Type")).ifPresent(v -> env.put("CONTENT_TYPE", v));
        Optional.ofNullable(headers.getFirst("Content-Length")).ifPresent(v -> env.put("CONTENT_LENGTH", v));
        Optional.ofNullable(headers.getFirst("Content-Encoding"))
                .ifPresent(v -> env.put("HTTP_CONTENT_ENCODING", v));
        Optional.ofNullable(headers.getFirst("Git-Protocol")).ifPresent(v -> env.put("GIT_PROTOCOL", v));
        Process process = builder.start();
        Thread feeder = new Thread(() -> {
            try (InputStream in = exchange.getRequestBody(); OutputStream out = process.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the backend stopped reading: its answer says why
            }
        }, "github-stand-in-git-in");
        feeder.setDaemon(true);
        feeder.start();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        Thread drainer = new Thread(() -> {
            try (InputStream err = process.getErrorStream()) {
                err.transferTo(errors);
            } catch (IOException e) {
                // nothing more to read
            }
        }, "github-stand-in-git-err");
        drainer.setDaemon(true);
        drainer.start();
        try (InputStream out = process.getInputStream()) {
            int status = 200;
            String line;
            while ((line = readHeaderLine(out)) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String header = line.substring(0, colon).strip();
                String value = line.substring(colon + 1).strip();
                if (header.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(value.split(" ")[0]);
                } else {
                    exchange.getResponseHeaders().add(header, value);
                }
            }
            exchange.sendResponseHeaders(status, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                out.transferTo(body);
            }
        } finally {
            try {
                process.waitFor();
                feeder.join(5_000);
                drainer.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String basicAuthLogin(Headers headers) {
        String authorization = headers.getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                    StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        // like GitHub: any user name, the token as password
        Token token = tokens.get(decoded.substring(colon + 1));
        return token == null ? null : token.login();
    }

    private static String readHeaderLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                break;
            }
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    // ---------------------------------------------------------------------------------------------- answers

    private void sendPage(HttpExchange exchange, List<? extends JsonNode> items, Map<String, String> query) throws IOException {
        int perPage = Math.max(1, Math.min(100, parseInt(query.get("per_page"), 30)));
        int page = Math.max(1, parseInt(query.get("page"), 1));
        int last = Math.max(1, (items.size() + perPage - 1) / perPage);
        ArrayNode array = NODES.arrayNode();
        items.stream().skip((long) (page - 1) * perPage).limit(perPage).forEach(array::add);
        List<String> links = new ArrayList<>();
        if (page < last) {
            links.add("<" + pageUrl(exchange, query, page + 1) + ">; rel=\"next\"");
            links.add("<" + pageUrl(exchange, query, last) + ">; rel=\"last\"");
        }
        if (page > 1) {
            links.add("<" + pageUrl(exchange, query, 1) + ">; rel=\"first\"");
            links.add("<" + pageUrl(exchange, query, page - 1) + ">; rel=\"prev\"");
        }
        if (!links.isEmpty()) {
            exchange.getResponseHeaders().add("Link", String.join(", ", links));
        }
        sendJson(exchange, 200, array, true);
    }

    private String pageUrl(HttpExchange exchange, Map<String, String> query, int page) {
        Map<String, String> params = new LinkedHashMap<>(query);
        params.put("page", Integer.toString(page));
        StringBuilder url = new StringBuilder(webUrl() + exchange.getRequestURI().getRawPath()).append('?');
        params.forEach((key, value) -> url.append(encode(key)).append('=').append(encode(value)).append('&'));
        url.setLength(url.length() - 1);
        return url.toString();
    }

    private void validationFailed(HttpExchange exchange, String resource, String field, String code)
            throws IOException {
        ObjectNode json = NODES.objectNode();
        json.put("message", "Validation Failed");
        ObjectNode error = json.putArray("errors").addObject();
        error.put("resource", resource);
        error.put("field", field);
        error.put("code", code);
        json.put("documentation_url", DOCS);
        json.put("status", "422");
        sendJson(exchange, 422, json, true);
    }

    private void error(HttpExchange exchange, int status, String message, String documentation) throws IOException {
        ObjectNode json = NODES.objectNode();
        json.put("message", message);
        json.put("documentation_url", documentation);
        json.put("status", Integer.toString(status));
        sendJson(exchange, status, json, true);
    }

    private void rateLimitHeaders(HttpExchange exchange, boolean countsAsUsed) {
        int usedNow = Math.min(RATE_LIMIT, used.get());
        Headers headers = exchange.getResponseHeaders();
        if (headers.containsKey("X-RateLimit-Limit")) {
            return;
        }
        headers.add("X-RateLimit-Limit", Integer.toString(RATE_LIMIT));
        headers.add("X-RateLimit-Remaining", Integer.toString(RATE_LIMIT - usedNow));
        headers.add("X-RateLimit-Reset", Long.toString(clock.instant().plus(1, ChronoUnit.HOURS)
                .truncatedTo(ChronoUnit.HOURS).getEpochSecond()));
        headers.add("X-RateLimit-Used", Integer.toString(usedNow));
        headers.add("X-RateLimit-Resource", "core");
        headers.add("X-GitHub-Media-Type", "github.v3; format=json");
        headers.add("X-GitHub-Api-Version-Selected", "2022-11-28");
        headers.add("X-GitHub-Request-Id", HexFormat.of().formatHex(randomBytes(8)).toUpperCase(Locale.ROOT));
    }

    private void sendJson(HttpExchange exchange, int status, JsonNode json, boolean api) throws IOException {
        if (api) {
            rateLimitHeaders(exchange, true);
        }
        byte[] body = JSON.writeValueAsBytes(json);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendForm(HttpExchange exchange, String form) throws IOException {
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private User requireUser(String login) {
        User user = usersByLogin.get(login);
        if (user == null) {
            throw new IllegalArgumentException("no user " + login);
        }
        return user;
    }

    private static JsonNode json(byte[] body) {
        try {
            JsonNode json = JSON.readTree(body);
            return json == null ? NODES.objectNode() : json;
        } catch (IOException e) {
            return NODES.objectNode();
        }
    }

    static Map<String, String> parseQuery(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            params.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
                    URLDecoder.decode(value, StandardCharsets.UTF_8));
        }
        return params;
    }

    private static int parseInt(String value, int fallback) {
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** PKCE S256: BASE64URL(SHA-256(verifier)) without padding. */
    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomString(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
