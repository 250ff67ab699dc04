package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.ProjectVariables;
import io.miaobu.server.secrets.RedactingLayout;
import io.miaobu.server.secrets.SecretBox;
import io.miaobu.server.secrets.SecretRedactor;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * A secret set as a plugin setting (the git plugin's HTTPS token) and as a project secret variable is stored sealed:
 * it is not in the database (every table dumped; on H2 also every file under MIAOBU_HOME but the key directory, raw and
 * in base64), not in any page or API answer, and not in the server log even when the server is made to log it. A plain
 * variable set beside them is the control that the scans see stored data. Rotating the key re-encrypts both secrets
 * with the new key, deletes the old key, and leaves everything readable: by a {@link SecretBox} on the key directory,
 * by the settings API, and by a deployment that needs the plugin's settings opened.
 */
class SecretsAtRestIT {

    private static final String POSTGRES_URL = System.getenv().getOrDefault("MIAOBU_TEST_POSTGRES_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String POSTGRES_USER = System.getenv().getOrDefault("MIAOBU_TEST_POSTGRES_USER",
            "postgres");
    private static final String LOG_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void secretsAreNowhereInPlainTextAndKeyRotationKeepsThemReadable(String database) throws Exception {
        String pluginSecret = "s1-" + UUID.randomUUID();
        String projectSecret = "s2-" + UUID.randomUUID();
        String plainValue = "plain-" + UUID.randomUUID();
        String logMarker = "marker-" + UUID.randomUUID();
        String providerSecret = "s3-" + UUID.randomUUID();
        // the identity provider's client secret and the token it hands out for the admin join these once set
        List<String> secrets = new ArrayList<>(List.of(pluginSecret, projectSecret));
        Path home = temp.resolve("home");

        var settings = new HashMap<String, String>();
        String schema = null;
        Jdbc jdbc;
        if (database.equals("postgres")) {
            schema = "miaobu_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            execute(POSTGRES_URL, POSTGRES_USER, "CREATE SCHEMA " + schema);
            jdbc = new Jdbc(POSTGRES_URL + "?currentSchema=" + schema, POSTGRES_USER, "", schema);
            settings.put("db.url", jdbc.url());
            settings.put("db.user", jdbc.user());
            settings.put("db.password", jdbc.password());
        } else {
            // the default database (ConfigLoader): an H2 file under MIAOBU_HOME/db; the same URL in this JVM opens
            // the same database
            jdbc = new Jdbc("jdbc:h2:file:" + home.resolve("db").resolve("miaobu")
                    + ";DB_CLOSE_ON_EXIT=FALSE;AUTO_SERVER=FALSE;WRITE_DELAY=0", "sa", "", "PUBLIC");
        }

        var log = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = captureServerLog(log);
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var oauth = new OAuthStandIn(providerSecret);
             var server = new TestServer(home, settings, List.of(new StandInIdentityProvider("stand-in", "Stand-in")))
                     .publicUrlOnLoopback().start()) {
            repo.commitMessage("secrets");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Secretive",
                    "repositoryUrl", repo.directory().toString()), 201).get("id").asLong();
            var answers = new LinkedHashMap<String, String>();

            var setToken = server.api("PUT", "/api/v1/extensions/SourceProvider/git/settings",
                    Map.of("values", Map.of("https-token", pluginSecret)));
            assertThat(setToken.statusCode()).as(setToken.body()).isEqualTo(200);
            answers.put("PUT git settings", setToken.body());
            assertThat(tokenSetting(server).get("isSet").asBoolean()).isTrue();
            var setSecret = server.api("PUT", "/api/v1/projects/" + projectId + "/variables/API_KEY",
                    Map.of("value", projectSecret, "secret", true));
            assertThat(setSecret.statusCode()).as(setSecret.body()).isEqualTo(200);
            answers.put("PUT API_KEY", setSecret.body());
            var setPlain = server.api("PUT", "/api/v1/projects/" + projectId + "/variables/PLAIN_VAR",
                    Map.of("value", plainValue, "secret", false));
            assertThat(setPlain.statusCode()).as(setPlain.body()).isEqualTo(200);
            assertThat(setPlain.body()).as("the control comes back").contains(plainValue);

            // the admin connects an account at an identity provider: its token is stored sealed
            var setProvider = server.api("PUT", "/api/v1/extensions/IdentityProvider/stand-in/settings",
                    Map.of("values", Map.of("base-url", oauth.baseUrl(), "client-id", OAuthStandIn.CLIENT_ID,
                            "client-secret", providerSecret)));
            assertThat(setProvider.statusCode()).as(setProvider.body()).isEqualTo(200);
            answers.put("PUT stand-in settings", setProvider.body());
            oauth.signIn(new OAuthStandIn.Person("77", "admin-elsewhere", "Admin", "admin@example.test"));
            var browser = new Browser();
            assertThat(browser.postForm(server.uri("/login"), "username=" + TestServer.ADMIN + "&password="
                    + java.net.URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8)).statusCode())
                    .isEqualTo(303);
            var connected = browser.follow(browser.get(server.uri("/auth/stand-in/start?intent=link")));
            connected.forEach(hop -> answers.put("connect " + hop.uri().getPath(), hop.headers().map() + "\n"
                    + hop.body()));
            assertThat(connected.get(connected.size() - 1).body()).contains("admin-elsewhere");
            assertThat(oauth.issuedTokens()).hasSize(1);
            secrets.add(providerSecret);
            secrets.add(oauth.issuedTokens().get(0));

            long deployment = deploy(server, projectId);

            assertThat(scanTables(jdbc, secrets, plainValue)).as("secrets in the database before rotation")
                    .isEmpty();
            // stored sealed with the one key there is
            String oldKey = onlyKeyId(home);
            Map<String, String> sealed = sealedValues(jdbc);
            assertThat(sealed.values()).allSatisfy(value -> assertThat(value).startsWith("mb1:" + oldKey + ":"));
            assertThat(openAll(home, sealed)).containsExactly(pluginSecret, projectSecret);

            // every GET route, as the admin
            answers.putAll(crawl(server, Map.ofEntries(Map.entry("projectId", Long.toString(projectId)),
                    Map.entry("deploymentId", Long.toString(deployment)),
                    Map.entry("userId", Long.toString(server.json("GET", "/api/v1/account", null, 200).get("id")
                            .asLong())),
                    Map.entry("sessionId", "no-such-session"), Map.entry("tokenId", "999999"),
                    Map.entry("name", "API_KEY"), Map.entry("point", "SourceProvider"), Map.entry("extensionId", "git"),
                    Map.entry("hash", "0"), Map.entry("path", "x.css"), Map.entry("channelId", "999999"),
                    Map.entry("deliveryId", "999999"), Map.entry("notifierId", "webhook"),
                    Map.entry("providerId", "stand-in"), Map.entry("previewId", "999999"),
                    Map.entry("source", "git"), Map.entry("project", Long.toString(projectId)),
                    Map.entry("sourceId", "git"), Map.entry("webhookDeliveryId", "999999"),
                    Map.entry("domainId", "999999"), Map.entry("pluginId", "git"))));
            assertThat(answers.entrySet().stream().filter(a -> a.getValue().contains(plainValue))
                    .map(Map.Entry::getKey)).as("answers showing the control")
                    .contains("GET /projects/{projectId}/variables", "GET /api/v1/projects/{projectId}/variables");

            // rotation: both values re-encrypted with a new key, the old key gone
            JsonNode rotated = server.json("POST", "/api/v1/admin/secrets/rotate", null, 200);
            answers.put("POST rotate", rotated.toString());
            String newKey = rotated.get("keyId").asText();
            assertThat(newKey).isNotEqualTo(oldKey);
            assertThat(rotated.get("removedKeyIds").toString()).contains(oldKey);
            assertThat(rotated.get("reencrypted").get("plugin_settings.sealed_value").asInt()).isEqualTo(2);
            assertThat(rotated.get("reencrypted").get("external_identities.sealed_token").asInt()).isEqualTo(1);
            assertThat(rotated.get("reencrypted").get("project_variables.sealed_value").asInt()).isEqualTo(1);
            assertThat(onlyKeyId(home)).isEqualTo(newKey);
            assertThat(home.resolve("secrets/secretbox/" + oldKey + ".key")).doesNotExist();
            Map<String, String> resealed = sealedValues(jdbc);
            assertThat(resealed.values()).allSatisfy(value -> assertThat(value).startsWith("mb1:" + newKey + ":"));
            assertThat(openAll(home, resealed)).containsExactly(pluginSecret, projectSecret);
            String sealedToken = sealedToken(jdbc);
            assertThat(sealedToken).startsWith("mb1:" + newKey + ":");
            assertThat(new SecretBox(home.resolve("secrets/secretbox")).open(sealedToken,
                    io.miaobu.server.source.SourceCredentials.TOKEN_PURPOSE)).isEqualTo(oauth.issuedTokens().get(0));
            assertThat(tokenSetting(server).get("isSet").asBoolean()).as("still set after rotation").isTrue();
            // a deployment opens the git plugin's settings with the new key
            deploy(server, projectId);

            assertThat(leaks(answers, secrets)).as("secrets in pages and API answers").isEmpty();

            server.stop();
            assertThat(scanTables(jdbc, secrets, plainValue)).as("secrets in the database after rotation").isEmpty();
            if (database.equals("h2")) {
                assertThat(scanFiles(home, secrets, plainValue)).as("secrets in files under MIAOBU_HOME").isEmpty();
            }

            // made to log them: a sign-in attempt logs the username it tried (logger io.miaobu.audit), after a
            // restart too; the audit table gets them now, so this comes after the database scans
            server.start();
            assertThat(tokenSetting(server).get("isSet").asBoolean()).as("still set after a restart").isTrue();
            for (String attempted : List.of(pluginSecret, projectSecret, logMarker)) {
                var refused = server.send(HttpRequest.newBuilder(server.uri("/api/v1/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(TestServer.jsonMapper().writeValueAsString(
                                Map.of("username", attempted, "password", "not the password")))));
                assertThat(refused.statusCode()).isEqualTo(401);
            }
        } finally {
            detach(appender);
            if (schema != null) {
                execute(POSTGRES_URL, POSTGRES_USER, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
        String serverLog = log.toString(StandardCharsets.UTF_8);
        assertThat(serverLog).as("the log of the attempt with the marker").contains("user:" + logMarker)
                .contains("user:" + SecretRedactor.MASK);
        for (String secret : secrets) {
            assertThat(serverLog).as("server log").doesNotContain(secret);
        }
    }

    private record Jdbc(String url, String user, String password, String schema) {
        Connection connect() throws SQLException {
            return DriverManager.getConnection(url, user, password);
        }
    }

    private static long deploy(TestServer server, long projectId) throws Exception {
        long id = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201).get("id").asLong();
        JsonNode done = server.awaitFinal(id);
        assertThat(done.get("status").asText()).as("deployment %s: %s", id, done.get("error")).isEqualTo("LIVE");
        return id;
    }

    private static JsonNode tokenSetting(TestServer server) throws Exception {
        for (JsonNode field : server.json("GET", "/api/v1/extensions/SourceProvider/git/settings", null, 200)) {
            if (field.get("name").asText().equals("https-token")) {
                assertThat(field.get("value").isNull()).as("a secret's value is never shown").isTrue();
                return field;
            }
        }
        throw new AssertionError("the git plugin has no https-token setting");
    }

    /** The plugin secret and the project secret as stored, by where they are stored. */
    private static Map<String, String> sealedValues(Jdbc jdbc) throws SQLException {
        var sealed = new LinkedHashMap<String, String>();
        try (Connection connection = jdbc.connect();
             var settings = connection.prepareStatement("SELECT plain_value, sealed_value FROM plugin_settings"
                     + " WHERE extension = 'SourceProvider:git' AND name = 'https-token'");
             var variables = connection.prepareStatement("SELECT plain_value, sealed_value FROM project_variables"
                     + " WHERE name = 'API_KEY'")) {
            for (var entry : Map.of(ExtensionSettings.SECRET_PURPOSE, settings,
                    ProjectVariables.SECRET_PURPOSE, variables).entrySet()) {
                try (var rows = entry.getValue().executeQuery()) {
                    assertThat(rows.next()).as("a stored %s", entry.getKey()).isTrue();
                    assertThat(rows.getString(1)).as("plain value of a %s", entry.getKey()).isNull();
                    assertThat(SecretBox.looksSealed(rows.getString(2))).as("%s sealed", entry.getKey()).isTrue();
                    sealed.put(entry.getKey(), rows.getString(2));
                    assertThat(rows.next()).isFalse();
                }
            }
        }
        return sealed;
    }

    /** The one external-identity token stored. */
    private static String sealedToken(Jdbc jdbc) throws SQLException {
        try (Connection connection = jdbc.connect();
             var rows = connection.createStatement().executeQuery("SELECT sealed_token FROM external_identities")) {
            assertThat(rows.next()).as("a connected account").isTrue();
            String sealed = rows.getString(1);
            assertThat(rows.next()).isFalse();
            return sealed;
        }
    }

    /** The values opened with the keys now on disk: plugin secret first, then project secret. */
    private static List<String> openAll(Path home, Map<String, String> sealed) {
        var box = new SecretBox(home.resolve("secrets/secretbox"));
        return List.of(box.open(sealed.get(ExtensionSettings.SECRET_PURPOSE), ExtensionSettings.SECRET_PURPOSE),
                box.open(sealed.get(ProjectVariables.SECRET_PURPOSE), ProjectVariables.SECRET_PURPOSE));
    }

    private static String onlyKeyId(Path home) throws Exception {
        try (Stream<Path> files = Files.list(home.resolve("secrets/secretbox"))) {
            List<String> keys = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".key"))
                    .map(n -> n.substring(0, n.length() - ".key".length())).toList();
            assertThat(keys).as("key files").hasSize(1);
            return keys.get(0);
        }
    }

    /** Every table of the schema, every column as text; finds the secrets, and must find the control. */
    private static List<String> scanTables(Jdbc jdbc, List<String> secrets, String control) throws Exception {
        var found = new ArrayList<String>();
        boolean controlSeen = false;
        try (Connection connection = jdbc.connect()) {
            var tables = new ArrayList<String>();
            try (var statement = connection.prepareStatement("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = ? AND table_type IN ('BASE TABLE', 'TABLE')")) {
                statement.setString(1, jdbc.schema());
                try (var rows = statement.executeQuery()) {
                    while (rows.next()) {
                        tables.add(rows.getString(1));
                    }
                }
            }
            assertThat(tables).as("tables of %s", jdbc.schema()).anyMatch(t -> t.equalsIgnoreCase("project_variables"));
            for (String table : tables) {
                try (var statement = connection.createStatement();
                     var rows = statement.executeQuery("SELECT * FROM \"" + jdbc.schema() + "\".\"" + table + "\"")) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String text = text(rows.getObject(i));
                            controlSeen |= text.contains(control);
                            for (String form : encodings(secrets)) {
                                if (text.contains(form)) {
                                    found.add(table + "." + rows.getMetaData().getColumnName(i) + ": " + form);
                                }
                            }
                        }
                    }
                }
            }
        }
        assertThat(controlSeen).as("the plain variable in the table dump").isTrue();
        return found;
    }

    private static String text(Object value) throws SQLException {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (value instanceof Blob blob) {
            return new String(blob.getBytes(1, (int) blob.length()), StandardCharsets.ISO_8859_1);
        }
        if (value instanceof Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        return String.valueOf(value);
    }

    /** The raw bytes of every file under the home but the key directory; the control must be in the database file. */
    private static List<String> scanFiles(Path home, List<String> secrets, String control) throws Exception {
        var found = new ArrayList<String>();
        var withControl = new ArrayList<String>();
        Path keys = home.resolve("secrets");
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(keys)).toList()) {
                // one char per byte: an ASCII value is found as the bytes it is stored as
                String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                if (bytes.contains(control)) {
                    withControl.add(home.relativize(file).toString());
                }
                for (String form : encodings(secrets)) {
                    if (bytes.contains(form)) {
                        found.add(home.relativize(file) + ": " + form);
                    }
                }
            }
        }
        assertThat(withControl).as("files holding the plain variable").anyMatch(f -> f.endsWith(".mv.db"));
        return found;
    }

    /** Each secret as it is, and in base64 (standard and URL-safe, with and without padding). */
    private static Set<String> encodings(List<String> secrets) {
        return secrets.stream().flatMap(secret -> {
            byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
            return Stream.of(secret, Base64.getEncoder().encodeToString(bytes),
                    Base64.getEncoder().withoutPadding().encodeToString(bytes),
                    Base64.getUrlEncoder().encodeToString(bytes),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
        }).collect(Collectors.toSet());
    }

    private static List<String> leaks(Map<String, String> answers, List<String> secrets) {
        var leaks = new ArrayList<String>();
        answers.forEach((name, body) -> encodings(secrets).stream().filter(body::contains)
                .forEach(form -> leaks.add(name + ": " + form)));
        return leaks;
    }

    /** Every GET route's answer (headers and body) to the admin, by route. */
    private static Map<String, String> crawl(TestServer server, Map<String, String> parameters) throws Exception {
        var answers = new LinkedHashMap<String, String>();
        for (Routes.Route route : Routes.of(server.server().webApplication())) {
            if (!route.httpMethod().equals("GET")) {
                continue;
            }
            var request = HttpRequest.newBuilder(server.uri(route.path(parameters)))
                    .header("Authorization", "Bearer " + server.token())
                    .timeout(Duration.ofSeconds(30)).GET();
            if (route.isEventStream()) {
                request.header("Accept", "text/event-stream");
            }
            HttpResponse<String> response = server.send(request);
            answers.put(route.toString(), response.headers().map() + "\n" + response.body());
        }
        assertThat(answers).as("GET routes").hasSizeGreaterThan(25);
        return answers;
    }

    private static OutputStreamAppender<ILoggingEvent> captureServerLog(ByteArrayOutputStream sink) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var layout = new RedactingLayout();
        layout.setContext(context);
        layout.setPattern(LOG_PATTERN);
        layout.start();
        var encoder = new LayoutWrappingEncoder<ILoggingEvent>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        var appender = new OutputStreamAppender<ILoggingEvent>();
        appender.setContext(context);
        appender.setName("secrets-at-rest");
        appender.setEncoder(encoder);
        appender.setOutputStream(sink);
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return appender;
    }

    private static void detach(OutputStreamAppender<ILoggingEvent> appender) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(appender);
        appender.stop();
    }

    private static void execute(String url, String user, String sql) throws SQLException {
        try (var connection = DriverManager.getConnection(url, user, "");
             var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
