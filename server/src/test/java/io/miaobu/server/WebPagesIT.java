package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pages as a browser without JavaScript uses them, from first-run setup to a deployment's live log. */
class WebPagesIT {

    private static final String XSS = "<script>alert(1)</script>";

    @TempDir
    Path temp;

    private String csrf;

    private final HttpClient browser = HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @Test
    void requestsJettyRefusesBeforeTheWebAppStillCarryTheSecurityHeaders() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            var ambiguous = server.send(HttpRequest.newBuilder(server.uri("/projects/a%2Fb")).GET());
            assertThat(ambiguous.statusCode()).isEqualTo(400);
            assertThat(ambiguous.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                    csp -> assertThat(csp).contains("script-src 'self'").doesNotContain("unsafe-inline"));
            assertThat(ambiguous.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(ambiguous.headers().firstValue("X-Frame-Options")).contains("DENY");
            assertThat(ambiguous.body()).doesNotContain("at org.eclipse");
        }
    }

    @Test
    void firstRunSetupNeedsTheTokenThenTheAdminWorksThroughThePages() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of(), false).start()) {
            repo.commitMessage("hello " + XSS);
            Path tokenFile = server.home().resolve("secrets/initial-setup-token");
            assertThat(tokenFile).exists();

            assertThat(location(get(server, "/"))).isEqualTo("/setup");
            assertThat(get(server, "/setup").body()).contains(tokenFile.toString());
            var wrongToken = post(server, "/setup", Map.of("setupToken", "guess", "username", "root",
                    "password", "a long password", "passwordConfirm", "a long password"));
            assertThat(wrongToken.statusCode()).isEqualTo(400);
            assertThat(wrongToken.body()).contains("setup token is not correct");

            var setup = post(server, "/setup", Map.of("setupToken", Files.readString(tokenFile).strip(),
                    "username", "root", "password", "a long password", "passwordConfirm", "a long password"));
            assertThat(setup.statusCode()).isEqualTo(303);
            assertThat(tokenFile).doesNotExist();
            assertThat(get(server, "/").statusCode()).isEqualTo(200);
            assertThat(get(server, "/setup").statusCode()).as("setup is over").isEqualTo(303);

            var created = post(server, "/projects", Map.of("name", "Pages " + XSS,
                    "repositoryUrl", repo.directory().toString(), "branch", "main"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(303);
            String projectPath = location(created);
            var projectPage = get(server, projectPath);
            assertThat(projectPage.body()).contains("Project created").doesNotContain(XSS)
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;");

            long deploymentId = Long.parseLong(firstMatch(projectPage.body(), "/deployments/(\\d+)"));
            List<String> events = streamEvents(server, deploymentId);
            assertThat(events).contains("status:LIVE").last().isEqualTo("end:end");
            List<String> lines = events.stream().filter(e -> e.startsWith("line:")).toList();
            assertThat(lines).anyMatch(l -> l.contains("node build.js"));

            var deploymentPage = get(server, "/deployments/" + deploymentId);
            assertThat(deploymentPage.statusCode()).isEqualTo(200);
            assertThat(deploymentPage.body()).contains("id=\"log\"").contains("node build.js")
                    .doesNotContain(XSS).contains("events?after=");
            String css = firstMatch(deploymentPage.body(), "(/static/[0-9a-f]+/css/miaobu\\.css)");
            var stylesheet = get(server, css);
            assertThat(stylesheet.statusCode()).isEqualTo(200);
            assertThat(stylesheet.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/css"));
            assertThat(deploymentPage.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));

            assertThat(get(server, projectPath + "/settings").body()).as("the detected plan as hints")
                    .contains("confirmSlug").contains("Detected in the repository")
                    .contains("use the detected value: npm run build");
            var badSettings = post(server, projectPath + "/settings", Map.of("name", "Pages",
                    "branch", "bad..branch", "outputDirectory", ""));
            assertThat(badSettings.statusCode()).isEqualTo(400);
            assertThat(badSettings.body()).contains("not a valid branch name");

            var plugins = get(server, "/plugins");
            assertThat(plugins.body()).contains("git").contains("node").contains("local-storage")
                    .contains("SourceProvider");

            var missing = get(server, "/no/such/page");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/html"));

            assertThat(post(server, "/logout", Map.of()).statusCode()).isEqualTo(303);
            assertThat(location(get(server, projectPath))).startsWith("/login?next=");
        }
    }

    @Test
    void signInRefusesWrongPasswordsAndReturnsToTheRequestedPage() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            var wrong = post(server, "/login", Map.of("username", TestServer.ADMIN, "password", "nope",
                    "next", "/plugins"));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).contains("Wrong username or password");

            var right = post(server, "/login", Map.of("username", TestServer.ADMIN, "password",
                    TestServer.PASSWORD, "next", "/plugins"));
            assertThat(location(right)).isEqualTo("/plugins");
            assertThat(right.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("miaobu_session=")
                    && c.contains("HttpOnly") && c.contains("SameSite=Lax"));

            var signedIn = get(server, "/login?next=/plugins"); // the sign-in page sends a signed-in user on
            assertThat(location(signedIn)).isEqualTo("/plugins");
            get(server, "/");
            assertThat(location(post(server, "/logout", Map.of()))).isEqualTo("/login");
            var offSite = post(server, "/login", Map.of("username", TestServer.ADMIN, "password",
                    TestServer.PASSWORD, "next", "//evil.example/"));
            assertThat(location(offSite)).isEqualTo("/");
            assertThat(offSite.headers().firstValue("Location").orElseThrow()).startsWith(server.uri("/").toString());
        }
    }

    @Test
    void refusesStateChangesWithoutTheSessionsTokenOrFromAnotherSite() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.commitMessage("csrf");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Guarded",
                    "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
            post(server, "/login", Map.of("username", TestServer.ADMIN, "password", TestServer.PASSWORD));
            get(server, "/");
            assertThat(csrf).as("pages carry the session's token").isNotBlank();
            String deploy = "/projects/" + projectId + "/deploy";

            var withoutToken = postRaw(server, deploy, Map.of(), null);
            assertThat(withoutToken.statusCode()).isEqualTo(403);
            assertThat(withoutToken.body()).contains("Reload the page");
            assertThat(postRaw(server, deploy, Map.of("csrf", "forged"), null).statusCode()).isEqualTo(403);
            var crossSite = postRaw(server, deploy, Map.of("csrf", csrf), "http://evil.example");
            assertThat(crossSite.statusCode()).isEqualTo(403);
            assertThat(crossSite.body()).contains("Cross-site request refused");
            assertThat(server.json("GET", "/api/v1/projects/" + projectId + "/deployments", null, 200)
                    .get("items")).as("nothing was queued").isEmpty();

            var sameSite = postRaw(server, deploy, Map.of("csrf", csrf), server.uri("").toString());
            assertThat(sameSite.statusCode()).isEqualTo(303);

            var cookieApi = browser.send(HttpRequest.newBuilder(server.uri("/api/v1/projects/" + projectId
                    + "/deployments")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cookieApi.statusCode()).as("cookie-authenticated API call without the header").isEqualTo(403);
            var withHeader = browser.send(HttpRequest.newBuilder(server.uri("/api/v1/projects/" + projectId
                    + "/deployments")).header("X-CSRF-Token", csrf).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(withHeader.statusCode()).isEqualTo(201);
        }
    }

    @Test
    void theApiAnswersErrorsAsJsonWithoutInternals() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            var anonymous = server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects")).GET());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(json(anonymous).at("/error/code").asText()).isEqualTo("unauthorized");

            var forged = server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects"))
                    .header("Authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.").GET());
            assertThat(forged.statusCode()).isEqualTo(401);

            var badJson = server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects"))
                    .header("Authorization", "Bearer " + server.token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": ")));
            assertThat(badJson.statusCode()).isEqualTo(400);
            assertThat(json(badJson).at("/error/message").asText()).isEqualTo("The request body is not valid JSON.");

            var unknownField = server.api("POST", "/api/v1/projects", Map.of("nmae", "typo"));
            assertThat(unknownField.statusCode()).isEqualTo(400);
            assertThat(json(unknownField).at("/error/field").asText()).isEqualTo("nmae");

            var missingName = server.api("POST", "/api/v1/projects", Map.of("repositoryUrl", "/tmp"));
            assertThat(json(missingName).at("/error/field").asText()).isEqualTo("name");

            var withToken = server.api("POST", "/api/v1/projects", Map.of("name", "x",
                    "repositoryUrl", "https://user:ghp_secret@github.example/o/r.git"));
            assertThat(withToken.statusCode()).isEqualTo(400);
            assertThat(withToken.body()).doesNotContain("ghp_secret");

            var notThere = server.api("GET", "/api/v1/deployments/999", null);
            assertThat(notThere.statusCode()).isEqualTo(404);
            assertThat(notThere.body()).doesNotContain("Exception").doesNotContain("at io.miaobu");

            var notANumber = server.api("GET", "/api/v1/deployments/abc", null);
            assertThat(notANumber.statusCode()).isEqualTo(404);
            assertThat(json(notANumber).at("/error/code").asText()).isEqualTo("not_found");

            assertThat(server.send(HttpRequest.newBuilder(server.uri("/health/ready")).GET()).body())
                    .contains("\"database\":\"UP\"");
        }
    }

    /** Like a browser: remembers the anti-CSRF token of the last page that had forms, and sends it with forms. */
    private HttpResponse<String> get(TestServer server, String path) throws Exception {
        var response = browser.send(HttpRequest.newBuilder(server.uri(path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher token = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(response.body());
        if (token.find()) {
            csrf = token.group(1);
        }
        return response;
    }

    private HttpResponse<String> post(TestServer server, String path, Map<String, String> form) throws Exception {
        var fields = new LinkedHashMap<>(form);
        if (csrf != null) {
            fields.putIfAbsent("csrf", csrf);
        }
        return postRaw(server, path, fields, null);
    }

    private HttpResponse<String> postRaw(TestServer server, String path, Map<String, String> form, String origin)
            throws Exception {
        String body = new LinkedHashMap<>(form).entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        var request = HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (origin != null) {
            request.header("Origin", origin);
        }
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Reads the SSE stream (as the signed-in browser) until {@code end}; returns "event:data" entries. */
    private List<String> streamEvents(TestServer server, long deploymentId) throws Exception {
        var response = browser.send(HttpRequest.newBuilder(server.uri("/api/v1/deployments/" + deploymentId
                        + "/events")).header("Accept", "text/event-stream").timeout(Duration.ofSeconds(90)).GET()
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        var events = new ArrayList<String>();
        try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = "message";
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    events.add(event + ":" + line.substring(5).strip());
                    if (event.equals("end")) {
                        break;
                    }
                } else if (line.isEmpty()) {
                    event = "message";
                }
            }
        }
        return events;
    }

    /** The redirect target on this server: path and query. */
    private static String location(HttpResponse<String> response) {
        java.net.URI uri = java.net.URI.create(response.headers().firstValue("Location").orElseThrow());
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestServer.jsonMapper().readTree(response.body());
    }

    private static String firstMatch(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in page", regex).isTrue();
        return matcher.group(1);
    }
}
