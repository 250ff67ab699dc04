package io.miaobu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.miaobu.server.boot.ConfigLoader;
import io.miaobu.server.boot.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import io.miaobu.api.MiaobuExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

/**
 * A real Miaobu server for tests: its own MIAOBU_HOME, a free port, the bundled plugin zips built by this reactor,
 * and an admin created from the configuration. Can be stopped and started again on the same home.
 */
final class TestServer implements AutoCloseable {

    static final String ADMIN = "admin";
    static final String PASSWORD = "correct horse battery";

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Jersey and HK2 log through java.util.logging; route it to the test's logback like Main does
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }

    private final Path home;
    private final Map<String, String> settings;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private MiaobuServer server;
    private String token;
    private Clock clock = Clock.systemUTC();

    private final boolean createAdmin;
    private final List<MiaobuExtension> builtIns;

    TestServer(Path home, Map<String, String> extraSettings) {
        this(home, extraSettings, true);
    }

    /** @param createAdmin whether the admin is created from the configuration, or left to the setup page */
    TestServer(Path home, Map<String, String> extraSettings, boolean createAdmin) {
        this(home, extraSettings, createAdmin, List.of());
    }

    /**
     * @param builtIns extensions the server offers as its own beside the plugins' (test stand-ins for services that
     *                 cannot be reached from here)
     */
    TestServer(Path home, Map<String, String> extraSettings, List<MiaobuExtension> builtIns) {
        this(home, extraSettings, true, builtIns);
    }

    private TestServer(Path home, Map<String, String> extraSettings, boolean createAdmin,
                       List<MiaobuExtension> builtIns) {
        this.home = home;
        this.createAdmin = createAdmin;
        this.builtIns = List.copyOf(builtIns);
        this.port = freePort();
        this.settings = new HashMap<>(extraSettings);
        installPlugins(home.resolve("plugins"));
    }

    TestServer start() throws Exception {
        var env = new HashMap<String, String>(System.getenv());
        env.put("MIAOBU_HOME", home.toString());
        env.put("MIAOBU_PORT", Integer.toString(port));
        env.put("MIAOBU_HOST", "127.0.0.1");
        if (createAdmin) {
            env.put("MIAOBU_INITIAL_ADMIN_USER", ADMIN);
            env.put("MIAOBU_INITIAL_ADMIN_PASSWORD", PASSWORD);
        }
        settings.forEach((key, value) -> env.put("MIAOBU_" + key.toUpperCase().replace('.', '_'), value));
        ServerConfig config = new ConfigLoader(env, new Properties()).load();
        server = new MiaobuServer(config, env, clock, builtIns);
        server.start();
        token = null;
        return this;
    }

    void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The clock the server runs on from the next {@link #start()}. */
    TestServer withClock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Changes a setting for the next {@link #start()}. */
    TestServer set(String key, String value) {
        settings.put(key, value);
        return this;
    }

    /** Makes the public URL this server's loopback address and port, as a browser in the test reaches it. */
    TestServer publicUrlOnLoopback() {
        return set("public.url", "http://127.0.0.1:" + port + "/");
    }

    int port() {
        return port;
    }

    /** The running server, for tests that look at its wiring (its routes). */
    MiaobuServer server() {
        return server;
    }

    Path home() {
        return home;
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    String token() throws Exception {
        if (token == null) {
            var response = signIn(ADMIN, PASSWORD);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("login failed: " + response.body());
            }
            token = JSON.readTree(response.body()).get("accessToken").asText();
        }
        return token;
    }

    /** Signs in again at the next call: after the server's clock moved past the access token's life. */
    void forgetToken() {
        token = null;
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> api(String method, String path, Object body) throws Exception {
        return apiAs(token(), method, path, body);
    }

    /** Calls the API with this bearer token (an access token or an {@code mbt_} API token). */
    HttpResponse<String> apiAs(String bearer, String method, String path, Object body) throws Exception {
        var request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }
        return send(request);
    }

    JsonNode json(String method, String path, Object body, int expectedStatus) throws Exception {
        return jsonAs(token(), method, path, body, expectedStatus);
    }

    /** Like {@link #json}, with this bearer token; an empty answer (204) is a null node. */
    JsonNode jsonAs(String bearer, String method, String path, Object body, int expectedStatus) throws Exception {
        var response = apiAs(bearer, method, path, body);
        if (response.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }

    /** {@code POST /api/v1/auth/login}, whatever it answers. */
    HttpResponse<String> signIn(String username, String password) throws Exception {
        return send(HttpRequest.newBuilder(uri("/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("username", username, "password", password)))));
    }

    /** Fetches a path of a project's site through the site server, by Host header. */
    HttpResponse<String> site(String slug, String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Host", slug + ".localhost:" + port).GET());
    }

    /** Polls a deployment until {@code done} holds, or fails after {@code limit}. */
    JsonNode awaitDeployment(long id, Predicate<JsonNode> done, Duration limit) throws Exception {
        Instant deadline = Instant.now().plus(limit);
        JsonNode deployment = null;
        while (Instant.now().isBefore(deadline)) {
            deployment = json("GET", "/api/v1/deployments/" + id, null, 200);
            if (done.test(deployment)) {
                return deployment;
            }
            Thread.onSpinWait();
            Thread.yield();
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        throw new AssertionError("deployment " + id + " did not get there in " + limit + "; last seen: "
                + deployment + "\nlog:\n" + api("GET", "/api/v1/deployments/" + id + "/log", null).body());
    }

    JsonNode awaitFinal(long id) throws Exception {
        return awaitDeployment(id, d -> {
            String status = d.get("status").asText();
            return status.equals("LIVE") || status.equals("FAILED") || status.equals("CANCELLED");
        }, Duration.ofSeconds(90));
    }

    static ObjectMapper jsonMapper() {
        return JSON;
    }

    static void installPlugins(Path pluginsDirectory) {
        String source = System.getProperty("miaobu.test.plugins");
        if (source == null) {
            throw new IllegalStateException("miaobu.test.plugins is not set: run the tests through Maven");
        }
        try {
            Files.createDirectories(pluginsDirectory);
            try (DirectoryStream<Path> zips = Files.newDirectoryStream(Path.of(source), "*.zip")) {
                for (Path zip : zips) {
                    Path target = pluginsDirectory.resolve(zip.getFileName());
                    if (!Files.exists(target)) {
                        Files.copy(zip, target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
