package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.server.secrets.SecretRedactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project's settings for its builder and deploy target, end to end on a real server: the form is generated from
 * the builder's schema, bad input is refused with the field's message (the schema's checks and the builder's own),
 * secrets are never echoed (pages, API, audit, build log, database), and the builder and deploy target receive the
 * project's values in every call: build, publish, go-live, retention's delete, and removing the site with the project.
 */
class ProjectExtensionSettingsEndToEndIT {

    private static final String API_KEY = "ak-" + UUID.randomUUID();
    private static final String TOKEN = "tk-" + UUID.randomUUID();

    @TempDir
    Path temp;

    /** Stands in for the bundled node builder (same id, so new projects use it): writes the project's greeting. */
    static final class GreetingBuilder implements Builder {

        final List<ConfigValues> received = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "node";
        }

        @Override
        public String displayName() {
            return "Greeting";
        }

        @Override
        public ConfigSchema projectSettings() {
            return ConfigSchema.of(
                    ConfigField.string("greeting", "Greeting", "What the site says.").asRequired(),
                    ConfigField.secret("api-key", "API key", "Used while building."),
                    new ConfigField("pages", "Pages", "", ConfigFieldType.INTEGER, "1", false, List.of()));
        }

        @Override
        public List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
            return project.get("greeting").filter(g -> g.contains("forbidden"))
                    .map(g -> List.of(new ConfigProblem("greeting", "A greeting may not say forbidden.")))
                    .orElse(List.of());
        }

        @Override
        public Optional<BuildPlan> detect(Path sourceDirectory) {
            return Optional.of(new BuildPlan("greeting", "", "", "", "out", ""));
        }

        @Override
        public BuildOutput build(BuildContext context) {
            ConfigValues settings = context.projectSettings();
            received.add(settings);
            String greeting = settings.get("greeting")
                    .orElseThrow(() -> new ExtensionException("No greeting is set for this project."));
            // never done by a real plugin: here it shows that the log masks the project's secret
            settings.secret("api-key").ifPresent(key -> context.log().info("Signing in with " + key.reveal()));
            Path out = context.sourceDirectory().resolve("out");
            try {
                Files.createDirectories(out);
                Files.writeString(out.resolve("index.html"), "<h1>" + greeting + "</h1>");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new BuildOutput(out);
        }
    }

    /** Stands in for local storage (same id): copies each deployment and records the project settings it got. */
    static final class RecordingTarget implements DeployTarget {

        final List<String> calls = new CopyOnWriteArrayList<>();
        private final Path root;

        RecordingTarget(Path root) {
            this.root = root;
        }

        @Override
        public String id() {
            return "local-storage";
        }

        @Override
        public String displayName() {
            return "Recording storage";
        }

        @Override
        public ConfigSchema projectSettings() {
            return ConfigSchema.of(ConfigField.string("region", "Region", "").withDefault("eu"),
                    ConfigField.secret("token", "Token", ""));
        }

        @Override
        public PublishedDeployment publish(PublishContext context) {
            calls.add("publish " + describe(context.projectSettings()));
            Path copy = root.resolve(context.siteKey()).resolve(context.deploymentKey());
            try {
                Files.createDirectories(copy);
                Files.copy(context.outputDirectory().resolve("index.html"), copy.resolve("index.html"));
                long size = Files.size(copy.resolve("index.html"));
                return new PublishedDeployment(context.deploymentKey(), copy.toUri(), 1, size, size);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public ActivationResult activate(SiteDeployment deployment) {
            calls.add("activate " + describe(deployment.projectSettings()));
            return ActivationResult.NOTHING_TO_PURGE;
        }

        @Override
        public void delete(SiteDeployment deployment) {
            calls.add("delete " + deployment.deployment().storageRef() + " " + describe(deployment.projectSettings()));
        }

        @Override
        public void removeSite(String siteKey, ConfigValues globalSettings, ConfigValues projectSettings) {
            calls.add("removeSite " + describe(projectSettings));
        }

        private static String describe(ConfigValues values) {
            return values.get("region", "-") + "/" + values.secret("token").map(t -> t.reveal()).orElse("-");
        }
    }

    @Test
    void theFormComesFromTheSchemaChecksInputKeepsSecretsAndTheProjectsValuesReachItsExtensions() throws Exception {
        var builder = new GreetingBuilder();
        var target = new RecordingTarget(temp.resolve("published"));
        var answers = new LinkedHashMap<String, String>();
        Path home = temp.resolve("home");
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(home, Map.of("retention.deployments", "1"), List.of(builder, target))
                     .publicUrlOnLoopback().start()) {
            repo.commitMessage("greetings");
            JsonNode created = server.json("POST", "/api/v1/projects", Map.of("name", "Greeter",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201);
            long projectId = created.get("id").asLong();
            String slug = created.get("slug").asText();
            String api = "/api/v1/projects/" + projectId + "/extension-settings";
            String page = "/projects/" + projectId + "/extensions/Builder/node";

            // nothing saved yet: the builder gets the defaults only, and says what is missing
            JsonNode first = server.awaitFinal(deploy(server, projectId));
            assertThat(first.get("status").asText()).isEqualTo("FAILED");
            assertThat(first.get("error").asText()).contains("No greeting is set for this project.");
            assertThat(builder.received.get(0).plainValues()).containsExactly(Map.entry("pages", "1"));

            JsonNode listed = server.json("GET", api, null, 200);
            assertThat(listed.get("items").findValuesAsText("point")).containsExactly("Builder", "DeployTarget");
            assertThat(listed.get("items").get(0).get("fields").findValuesAsText("name"))
                    .containsExactly("greeting", "api-key", "pages");

            // the pages: a link from the project's settings, the form generated from the schema
            var browser = new Browser();
            assertThat(browser.postForm(server.uri("/login"), "username=" + TestServer.ADMIN + "&password="
                    + URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8)).statusCode()).isEqualTo(303);
            var settingsPage = browser.get(server.uri("/projects/" + projectId + "/settings"));
            assertThat(settingsPage.body()).contains("href=\"" + page + "\"",
                    "href=\"/projects/" + projectId + "/extensions/DeployTarget/local-storage\"");
            var form = browser.get(server.uri(page));
            assertThat(form.statusCode()).isEqualTo(200);
            assertThat(inputs(form.body())).contains("greeting:text", "api-key:password", "pages:number");
            assertThat(form.body()).contains("What the site says.", "Not set");
            String csrf = csrfOf(form.body());

            var forbidden = browser.postForm(server.uri(page), formBody(Map.of("csrf", csrf,
                    "greeting", "forbidden words", "api-key", API_KEY, "pages", "2")));
            assertThat(forbidden.statusCode()).isEqualTo(400);
            assertThat(fieldError(forbidden.body(), "greeting")).isEqualTo("A greeting may not say forbidden.");
            var notANumber = browser.postForm(server.uri(page), formBody(Map.of("csrf", csrf,
                    "greeting", "Hello", "api-key", API_KEY, "pages", "many")));
            assertThat(notANumber.statusCode()).isEqualTo(400);
            assertThat(fieldError(notANumber.body(), "pages")).isEqualTo("Pages must be a whole number.");
            answers.put("refused forms", forbidden.body() + notANumber.body());
            assertThat(browser.postForm(server.uri(page), formBody(Map.of("greeting", "Hello", "pages", "2")))
                    .statusCode()).as("without the CSRF token").isEqualTo(403);
            assertThat(server.json("GET", api + "/Builder/node", null, 200).toString())
                    .as("nothing refused was stored").doesNotContain("forbidden", "many");

            var saved = browser.postForm(server.uri(page), formBody(Map.of("csrf", csrf,
                    "greeting", "Hello from the project", "api-key", API_KEY, "pages", "3")));
            assertThat(saved.statusCode()).isEqualTo(303);
            assertThat(saved.headers().firstValue("Location").orElseThrow()).endsWith(page);
            var after = browser.get(server.uri(page));
            answers.put("GET " + page, after.body());
            assertThat(after.body()).contains("value=\"Hello from the project\"", "name=\"clear.api-key\"");

            // the API: same checks, the same write-only secret
            var missing = server.api("PUT", api + "/Builder/node", Map.of("values", Map.of("greeting", " ")));
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(error(missing)).containsExactly("greeting", "Greeting is required.");
            var unknown = server.api("PUT", api + "/SourceProvider/git", Map.of("values", Map.of("x", "y")));
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(server.api("GET", api + "/DeployTarget/no-such", null).statusCode()).isEqualTo(404);
            var targetSaved = server.api("PUT", api + "/DeployTarget/local-storage",
                    Map.of("values", Map.of("token", TOKEN)));
            assertThat(targetSaved.statusCode()).as(targetSaved.body()).isEqualTo(200);
            answers.put("PUT target", targetSaved.body());
            JsonNode builderSettings = server.json("GET", api + "/Builder/node", null, 200);
            answers.put("GET builder", builderSettings.toString());
            JsonNode key = field(builderSettings, "api-key");
            assertThat(key.get("isSet").asBoolean()).isTrue();
            assertThat(key.get("value").isNull()).isTrue();
            assertThat(field(builderSettings, "pages").get("value").asText()).isEqualTo("3");

            // the database holds the secrets sealed
            List<String> stored = storedValues(home, projectId);
            assertThat(stored).hasSize(5).anyMatch(v -> v.startsWith("mb1:")).noneMatch(v -> v.contains(API_KEY)
                    || v.contains(TOKEN)).contains("Hello from the project", "3", "eu");

            // a build gets the project's values, secrets opened; the log masks them
            long second = deploy(server, projectId);
            assertThat(server.awaitFinal(second).get("status").asText()).isEqualTo("LIVE");
            ConfigValues got = builder.received.get(1);
            assertThat(got.get("greeting")).contains("Hello from the project");
            assertThat(got.get("pages")).contains("3");
            assertThat(got.secret("api-key")).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(API_KEY));
            assertThat(server.site(slug, "/").body()).contains("<h1>Hello from the project</h1>");
            String log = server.api("GET", "/api/v1/deployments/" + second + "/log", null).body();
            assertThat(log).contains("Signing in with " + SecretRedactor.MASK).doesNotContain(API_KEY);
            assertThat(target.calls).containsExactly("publish eu/" + TOKEN, "activate eu/" + TOKEN);

            // a blank secret keeps the stored one; the next build pushes the second out, deleted with the settings
            server.json("PUT", api + "/Builder/node", Map.of("values", Map.of("greeting", "Hello again",
                    "api-key", "")), 200);
            long third = deploy(server, projectId);
            assertThat(server.awaitFinal(third).get("status").asText()).isEqualTo("LIVE");
            assertThat(builder.received.get(2).secret("api-key")).isPresent();
            awaitCall(target, "delete " + second + " eu/" + TOKEN);

            // key rotation re-encrypts both; a removed secret is gone from the next build
            JsonNode rotated = server.json("POST", "/api/v1/admin/secrets/rotate", null, 200);
            assertThat(rotated.get("reencrypted").get("project_extension_settings.sealed_value").asInt())
                    .isEqualTo(2);
            var cleared = browser.postForm(server.uri(page), formBody(Map.of("csrf", csrf,
                    "greeting", "Hello again", "api-key", "", "clear.api-key", "true", "pages", "3")));
            assertThat(cleared.statusCode()).isEqualTo(303);
            long fourth = deploy(server, projectId);
            assertThat(server.awaitFinal(fourth).get("status").asText()).isEqualTo("LIVE");
            assertThat(builder.received.get(3).secret("api-key")).isEmpty();
            assertThat(target.calls).as("after the rotation too").filteredOn(("publish eu/" + TOKEN)::equals)
                    .hasSize(3);

            JsonNode audit = server.json("GET", "/api/v1/admin/audit?action=project.extension_settings_changed",
                    null, 200);
            answers.put("audit", audit.toString());
            assertThat(audit.get("items")).hasSize(4);
            assertThat(audit.get("items").findValuesAsText("target")).containsOnly("project:" + slug);

            // deleting the project removes the site with its settings, then the settings themselves
            assertThat(server.api("DELETE", "/api/v1/projects/" + projectId + "?confirm=" + slug, null)
                    .statusCode()).isEqualTo(204);
            assertThat(target.calls).contains("removeSite eu/" + TOKEN);
            assertThat(storedValues(home, projectId)).isEmpty();

            for (var answer : answers.entrySet()) {
                assertThat(answer.getValue()).as(answer.getKey()).doesNotContain(API_KEY, TOKEN);
            }
        }
    }

    private static long deploy(TestServer server, long projectId) throws Exception {
        return server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201).get("id")
                .asLong();
    }

    private static void awaitCall(RecordingTarget target, String call) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (!target.calls.contains(call)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no call '" + call + "' in " + target.calls);
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
    }

    /** Every input of the page as {@code name:type}. */
    private static List<String> inputs(String html) {
        Matcher input = Pattern.compile("<input id=\"[^\"]*\" name=\"([^\"]+)\" type=\"([^\"]+)\"").matcher(html);
        var found = new ArrayList<String>();
        while (input.find()) {
            found.add(input.group(1) + ":" + input.group(2));
        }
        return found;
    }

    private static String csrfOf(String html) {
        Matcher token = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
        assertThat(token.find()).as("the form carries the CSRF token").isTrue();
        return token.group(1);
    }

    private static String fieldError(String html, String field) {
        Matcher error = Pattern.compile("<p class=\"field__error\" id=\"field-" + Pattern.quote(field)
                + "-error\">([^<]*)</p>").matcher(html);
        assertThat(error.find()).as("an error beside %s", field).isTrue();
        return error.group(1);
    }

    private static String formBody(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    private static List<String> error(HttpResponse<String> response) throws Exception {
        JsonNode error = TestServer.jsonMapper().readTree(response.body()).get("error");
        return List.of(error.get("field").asText(), error.get("message").asText());
    }

    private static JsonNode field(JsonNode settings, String name) {
        for (JsonNode field : settings.get("fields")) {
            if (field.get("name").asText().equals(name)) {
                return field;
            }
        }
        throw new AssertionError("no field " + name + " in " + settings);
    }

    /** The stored values of the project's extension settings, plain or sealed, read from the server's H2 file. */
    private static List<String> storedValues(Path home, long projectId) throws Exception {
        String url = "jdbc:h2:file:" + home.resolve("db").resolve("miaobu")
                + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0";
        var values = new ArrayList<String>();
        try (var connection = DriverManager.getConnection(url, "sa", "");
             var statement = connection.prepareStatement("SELECT COALESCE(plain_value, sealed_value)"
                     + " FROM project_extension_settings WHERE project_id = ?")) {
            statement.setLong(1, projectId);
            try (var rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }
}
