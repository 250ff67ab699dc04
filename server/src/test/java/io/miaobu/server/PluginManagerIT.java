package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.server.plugin.TestPluginZip;
import io.miaobu.server.plugin.testplugins.FailingStartPlugin;
import io.miaobu.server.plugin.testplugins.GatedBuilder;
import io.miaobu.server.plugin.testplugins.HangingBuilder;
import io.miaobu.server.plugin.testplugins.ThrowingBuilder;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin manager on a running server: plugins installed, upgraded, disabled, enabled and uninstalled without a
 * restart, a build in flight finishing on the version it started with, dependency rules, failed plugins kept apart,
 * the signed update site, and zips that must be refused.
 */
class PluginManagerIT {

    @TempDir
    Path temp;

    /** A server whose only builder is the test's (the node plugin is left out), so new projects use it. */
    private TestServer server(Map<String, String> settings) throws Exception {
        var settingsWithDefaults = new LinkedHashMap<>(settings);
        settingsWithDefaults.putIfAbsent("plugins.call.timeout", "2");
        var server = new TestServer(temp.resolve("home"), settingsWithDefaults);
        Files.delete(temp.resolve("home/plugins/miaobu-plugin-node.zip"));
        return server.start();
    }

    private TestPluginZip gated(String version) {
        return TestPluginZip.of("gated", version).extension(GatedBuilder.class)
                .setting("gate", temp.resolve("gate").toString());
    }

    private static HttpResponse<String> upload(TestServer server, byte[] zip) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/api/v1/plugins"))
                .header("Authorization", "Bearer " + server.token())
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip)));
    }

    private static JsonNode uploaded(TestServer server, TestPluginZip zip, int expectedStatus) throws Exception {
        var response = upload(server, zip.bytes());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
        return TestServer.jsonMapper().readTree(response.body());
    }

    @Test
    void installUpgradeDisableEnableAndUninstallWithoutARestartWhileABuildFinishesOnTheOldVersion() throws Exception {
        Path gate = temp.resolve("gate");
        try (var repo = new SiteRepository(temp.resolve("repo")); var server = server(Map.of())) {
            repo.commitMessage("plugins");
            JsonNode installed = uploaded(server, gated("1.0.0"), 201);
            assertThat(installed.at("/plugin/state").asText()).isEqualTo("STARTED");
            assertThat(installed.at("/plugin/extensions/0/id").asText()).isEqualTo("gated");

            JsonNode project = server.json("POST", "/api/v1/projects", Map.of("name", "Gated site",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201);
            long projectId = project.get("id").asLong();
            String slug = project.get("slug").asText();
            assertThat(project.get("builder").asText()).isEqualTo("gated");
            assertThat(server.json("GET", "/api/v1/plugins/gated", null, 200).at("/projects/0/uses/0").asText())
                    .isEqualTo("builder gated");

            // a build starts on 1.0.0 and waits; meanwhile 2.0.0 replaces it
            long first = deploy(server, projectId);
            await(() -> Files.exists(gate.resolve("started-1.0.0")), "the first build to start");
            JsonNode upgraded = uploaded(server, gated("2.0.0"), 200);
            assertThat(upgraded.get("previousVersion").asText()).isEqualTo("1.0.0");
            assertThat(upgraded.at("/plugin/version").asText()).isEqualTo("2.0.0");
            assertThat(upgraded.at("/plugin/state").asText()).isEqualTo("STARTED");
            assertThat(unpacked(server, "gated")).as("the old version stays unpacked while its build runs")
                    .hasSize(2);

            Files.writeString(gate.resolve("release"), "");
            assertThat(server.awaitFinal(first).get("status").asText()).isEqualTo("LIVE");
            assertThat(server.site(slug, "/").body()).contains("built by gated 1.0.0");
            await(() -> unpacked(server, "gated").size() == 1, "the old version's folder to go once its build ended");

            long second = deploy(server, projectId);
            assertThat(server.awaitFinal(second).get("status").asText()).isEqualTo("LIVE");
            assertThat(server.site(slug, "/").body()).contains("built by gated 2.0.0");

            // disabled: new builds cannot use it; enabled again: they can
            assertThat(server.json("POST", "/api/v1/plugins/gated/disable", null, 200).get("disabled"))
                    .extracting(JsonNode::asText).containsExactly("gated");
            assertThat(server.json("GET", "/api/v1/plugins/gated", null, 200).get("state").asText())
                    .isEqualTo("DISABLED");
            JsonNode refused = server.awaitFinal(deploy(server, projectId));
            assertThat(refused.get("status").asText()).isEqualTo("FAILED");
            assertThat(refused.get("error").asText()).contains("builder plugin 'gated' is not installed or not"
                    + " running");
            assertThat(server.json("POST", "/api/v1/plugins/gated/enable", null, 200).get("state").asText())
                    .isEqualTo("STARTED");
            assertThat(server.awaitFinal(deploy(server, projectId)).get("status").asText()).isEqualTo("LIVE");

            // an upgrade that fails to start is rolled back
            var failed = upload(server, gated("3.0.0").pluginClass(FailingStartPlugin.class).bytes());
            assertThat(failed.statusCode()).as(failed.body()).isEqualTo(409);
            assertThat(failed.body()).contains("upgrade_rolled_back", "this test plugin refuses to start",
                    "Version 2.0.0 is running again");
            JsonNode afterRollback = server.json("GET", "/api/v1/plugins/gated", null, 200);
            assertThat(afterRollback.get("version").asText()).isEqualTo("2.0.0");
            assertThat(afterRollback.get("state").asText()).isEqualTo("STARTED");
            assertThat(server.awaitFinal(deploy(server, projectId)).get("status").asText()).isEqualTo("LIVE");

            assertThat(server.json("DELETE", "/api/v1/plugins/gated", null, 200).get("uninstalled"))
                    .extracting(JsonNode::asText).containsExactly("gated");
            assertThat(server.api("GET", "/api/v1/plugins/gated", null).statusCode()).isEqualTo(404);
            assertThat(server.home().resolve("plugins/gated.zip")).doesNotExist();
            await(() -> unpacked(server, "gated").isEmpty(), "the uninstalled plugin's folder to go");

            var actions = new ArrayList<String>();
            for (JsonNode event : server.json("GET", "/api/v1/admin/audit?limit=100", null, 200).get("items")) {
                if (event.get("target").asText().equals("plugin:gated")) {
                    actions.add(event.get("action").asText());
                }
            }
            assertThat(actions).contains("plugin.installed", "plugin.upgraded", "plugin.disabled", "plugin.enabled",
                    "plugin.upgrade_rolled_back", "plugin.uninstalled");
        } finally {
            Files.writeString(Files.createDirectories(gate).resolve("release"), "");
        }
    }

    @Test
    void refusesToDisableWhatOthersNeedAndToInstallWhatCannotRunHere() throws Exception {
        try (var server = server(Map.of())) {
            var missing = upload(server, TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=1.0.0").bytes());
            assertThat(missing.statusCode()).as(missing.body()).isEqualTo(409);
            assertThat(missing.body()).contains("needs plugin 'base' >=1.0.0, which is not installed");
            var tooNew = upload(server, TestPluginZip.of("future", "1.0.0").requires(">=99.0.0").bytes());
            assertThat(tooNew.statusCode()).as(tooNew.body()).isEqualTo(409);
            assertThat(tooNew.body()).contains("needs Miaobu >=99.0.0; this server is 0.1.0");

            uploaded(server, TestPluginZip.of("base", "1.0.0"), 201);
            uploaded(server, TestPluginZip.of("dependent", "1.0.0").dependencies("base@>=1.0.0"), 201);
            assertThat(server.json("GET", "/api/v1/plugins/base", null, 200).get("dependents"))
                    .extracting(JsonNode::asText).containsExactly("dependent");

            var refused = server.api("POST", "/api/v1/plugins/base/disable", null);
            assertThat(refused.statusCode()).isEqualTo(409);
            assertThat(refused.body()).contains("Plugin 'base' is needed by 'dependent'");
            var refusedRemoval = server.api("DELETE", "/api/v1/plugins/base", null);
            assertThat(refusedRemoval.statusCode()).isEqualTo(409);
            assertThat(server.json("GET", "/api/v1/plugins/base", null, 200).get("state").asText())
                    .isEqualTo("STARTED");

            assertThat(server.json("POST", "/api/v1/plugins/base/disable?withDependents=true", null, 200)
                    .get("disabled")).extracting(JsonNode::asText).containsExactly("dependent", "base");

            server.stop();
            server.start();
            assertThat(server.json("GET", "/api/v1/plugins/base", null, 200).get("state").asText())
                    .as("disabled after a restart too").isEqualTo("DISABLED");
            assertThat(server.json("GET", "/api/v1/plugins/dependent", null, 200).get("state").asText())
                    .isEqualTo("DISABLED");
            var page = server.send(HttpRequest.newBuilder(server.uri("/plugins"))
                    .header("Authorization", "Bearer " + server.token()).GET());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("/plugins/base/enable", "/plugins/dependent/enable");
        }
    }

    @Test
    void aPluginThatFailsToStartThrowsOnEveryCallOrHangsIsKeptApart() throws Exception {
        Path gate = temp.resolve("gate");
        try (var repo = new SiteRepository(temp.resolve("repo")); var server = server(Map.of())) {
            repo.commitMessage("isolation");
            uploaded(server, gated("1.0.0"), 201);
            Files.writeString(Files.createDirectories(gate).resolve("release"), "");

            JsonNode failing = uploaded(server, TestPluginZip.of("failing", "1.0.0")
                    .pluginClass(FailingStartPlugin.class), 201);
            assertThat(failing.at("/plugin/state").asText()).isEqualTo("FAILED");
            assertThat(failing.at("/plugin/error").asText()).contains("this test plugin refuses to start");

            uploaded(server, TestPluginZip.of("thrower", "1.0.0").extension(ThrowingBuilder.class), 201);
            JsonNode thrower = server.json("GET", "/api/v1/plugins/thrower", null, 200);
            assertThat(thrower.get("state").asText()).isEqualTo("STARTED");
            assertThat(thrower.at("/extensions/0/name").asText()).as("its name threw: the id stands in")
                    .isEqualTo("thrower");
            JsonNode throwingCheck = server.json("POST", "/api/v1/extensions/Builder/thrower/check", null, 200);
            assertThat(throwingCheck.get("passed").asBoolean()).isFalse();
            assertThat(throwingCheck.at("/checks/0/detail").asText()).contains("The plugin failed");

            uploaded(server, TestPluginZip.of("hanger", "1.0.0").extension(HangingBuilder.class)
                    .setting("gate", gate.toString()), 201);
            JsonNode hangingCheck = server.json("POST", "/api/v1/extensions/Builder/hanger/check", null, 200);
            assertThat(Files.exists(gate.resolve("hanging"))).as("the plugin was called and hangs still").isTrue();
            assertThat(hangingCheck.get("passed").asBoolean()).isFalse();
            assertThat(hangingCheck.at("/checks/0/detail").asText()).contains("no answer within 2 s");

            // the server and the other plugins go on: the page, the API, and a build with another plugin
            var page = server.send(HttpRequest.newBuilder(server.uri("/plugins"))
                    .header("Authorization", "Bearer " + server.token()).GET());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("thrower", "hanger", "this test plugin refuses to start");
            var states = new LinkedHashMap<String, String>();
            server.json("GET", "/api/v1/plugins", null, 200).get("items")
                    .forEach(p -> states.put(p.get("id").asText(), p.get("state").asText()));
            assertThat(states).containsEntry("failing", "FAILED").containsEntry("thrower", "STARTED")
                    .containsEntry("hanger", "STARTED").containsEntry("git", "STARTED")
                    .containsEntry("local-storage", "STARTED").containsEntry("gated", "STARTED");
            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", "Still works",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            assertThat(server.json("GET", "/api/v1/projects/" + projectId, null, 200).get("builder").asText())
                    .isIn("gated", "thrower", "hanger");
        } finally {
            Files.writeString(Files.createDirectories(gate).resolve("release-hanger"), "");
        }
    }

    @Test
    void installsFromASignedUpdateSiteOnlyWhatItsSignatureAndChecksumsVouchFor() throws Exception {
        Path site = Files.createDirectories(temp.resolve("site"));
        KeyPair key = ed25519();
        byte[] base = TestPluginZip.of("base", "1.0.0").bytes();
        byte[] hello = TestPluginZip.of("hello", "1.1.0").dependencies("base@>=1.0.0 & <2.0.0").bytes();
        Files.write(site.resolve("base-1.0.0.zip"), base);
        Files.write(site.resolve("hello-1.1.0.zip"), hello);
        String publicKey = Base64.getEncoder().encodeToString(key.getPublic().getEncoded());
        try (var server = server(Map.of("plugins.update.site", site.resolve("plugins.json").toString(),
                "plugins.update.site.public.key", publicKey))) {
            // signed by someone else: nothing in it is believed
            publish(site, catalogue(sha256(base), sha256(hello)), ed25519());
            var untrusted = server.api("GET", "/api/v1/plugins/update-site", null);
            assertThat(untrusted.statusCode()).isEqualTo(502);
            assertThat(untrusted.body()).contains("not signed by the configured key");
            var refused = server.api("POST", "/api/v1/plugins/update-site/hello/install", Map.of("version", "1.1.0"));
            assertThat(refused.statusCode()).isEqualTo(502);

            // signed, but the zip is not the one listed
            publish(site, catalogue(sha256(base), sha256(base)), key);
            JsonNode offered = server.json("GET", "/api/v1/plugins/update-site", null, 200);
            assertThat(offered.get("items")).extracting(e -> e.get("id").asText()).containsExactly("base", "hello");
            var mismatch = server.api("POST", "/api/v1/plugins/update-site/hello/install", Map.of("version", "1.1.0"));
            assertThat(mismatch.statusCode()).isEqualTo(502);
            assertThat(mismatch.body()).contains("does not match the SHA-256");
            assertThat(server.api("GET", "/api/v1/plugins/base", null).statusCode())
                    .as("nothing of the set was installed").isEqualTo(404);

            // signed and matching: hello comes with the base it needs
            publish(site, catalogue(sha256(base), sha256(hello)), key);
            JsonNode installed = server.json("POST", "/api/v1/plugins/update-site/hello/install",
                    Map.of("version", "1.1.0"), 201);
            assertThat(installed.get("installed")).extracting(o -> o.at("/plugin/id").asText() + " "
                    + o.at("/plugin/state").asText()).containsExactly("base STARTED", "hello STARTED");
            JsonNode after = server.json("GET", "/api/v1/plugins/update-site", null, 200);
            assertThat(after.get("items").get(1).get("installedVersion").asText()).isEqualTo("1.1.0");

            var page = server.send(HttpRequest.newBuilder(server.uri("/plugins/update-site"))
                    .header("Authorization", "Bearer " + server.token()).GET());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).as("installed now; the release for a newer Miaobu says why not")
                    .contains("Hello plugin", "needs Miaobu &gt;=99.0.0; this server is 0.1.0")
                    .doesNotContain("/plugins/update-site/hello/install");
        }
    }

    @Test
    void refusesAZipSlipArchiveAndAZipBombBeforeUnpackingAnything() throws Exception {
        try (var server = server(Map.of("plugins.zip.max.ratio", "50"))) {
            var slip = new ByteArrayOutputStream();
            TestPluginZip.writeRaw(slip, Map.of("plugin.properties",
                    "plugin.id=slip\nplugin.version=1.0.0\n".getBytes(StandardCharsets.UTF_8),
                    "../../../escaped.txt", "pwned".getBytes(StandardCharsets.UTF_8)));
            var refusedSlip = upload(server, slip.toByteArray());
            assertThat(refusedSlip.statusCode()).as(refusedSlip.body()).isEqualTo(400);
            assertThat(refusedSlip.body()).contains("leads outside the plugin's folder");

            var bomb = new ByteArrayOutputStream();
            TestPluginZip.writeRaw(bomb, Map.of("plugin.properties",
                    "plugin.id=bomb\nplugin.version=1.0.0\n".getBytes(StandardCharsets.UTF_8),
                    "lib/zeros.jar", new byte[8 << 20]));
            var refusedBomb = upload(server, bomb.toByteArray());
            assertThat(refusedBomb.statusCode()).as(refusedBomb.body()).isEqualTo(400);
            assertThat(refusedBomb.body()).contains("zip bomb");

            assertThat(server.api("GET", "/api/v1/plugins/slip", null).statusCode()).isEqualTo(404);
            assertThat(server.api("GET", "/api/v1/plugins/bomb", null).statusCode()).isEqualTo(404);
            try (Stream<Path> files = Files.walk(server.home())) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .doesNotContain("escaped.txt", "zeros.jar");
            }
        }
    }

    @Test
    void thePageInstallsAnUploadedFormWhoseActionCarriesTheSessionsToken() throws Exception {
        try (var server = server(Map.of())) {
            var browser = java.net.http.HttpClient.newBuilder().cookieHandler(new java.net.CookieManager())
                    .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
            var login = browser.send(HttpRequest.newBuilder(server.uri("/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=" + TestServer.ADMIN + "&password="
                            + java.net.URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(303);
            String page = browser.send(HttpRequest.newBuilder(server.uri("/plugins")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            var action = java.util.regex.Pattern.compile("action=\"(/plugins/upload\\?csrf=[^\"]+)\"").matcher(page);
            assertThat(action.find()).as("the upload form's action").isTrue();
            byte[] zip = TestPluginZip.of("uploaded", "1.0.0").bytes();

            var withoutToken = browser.send(multipart(server, "/plugins/upload", zip),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(withoutToken.statusCode()).isEqualTo(403);

            var installed = browser.send(multipart(server, action.group(1).replace("&amp;", "&"), zip),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(installed.statusCode()).as(installed.body()).isEqualTo(303);
            var after = browser.send(HttpRequest.newBuilder(server.uri("/plugins")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(after.body()).contains("Installed uploaded 1.0.0.");

            // the API takes the same form, from a token
            var api = server.send(multipartRequest(server, "/api/v1/plugins",
                    TestPluginZip.of("uploaded", "1.1.0").bytes()).header("Authorization", "Bearer " + server.token()));
            assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
            assertThat(TestServer.jsonMapper().readTree(api.body()).get("previousVersion").asText())
                    .isEqualTo("1.0.0");
        }
    }

    private static HttpRequest.Builder multipartRequest(TestServer server, String path, byte[] zip) {
        String boundary = "----miaobu" + java.util.UUID.randomUUID();
        var body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.zip\"\r\n"
                + "Content-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Origin", server.uri("").toString())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
    }

    private static HttpRequest multipart(TestServer server, String path, byte[] zip) {
        return multipartRequest(server, path, zip).build();
    }

    private static long deploy(TestServer server, long projectId) throws Exception {
        return server.json("POST", "/api/v1/projects/" + projectId + "/deployments", Map.of(), 201).get("id")
                .asLong();
    }

    private static List<Path> unpacked(TestServer server, String name) {
        try (Stream<Path> folders = Files.list(server.home().resolve("plugins/.unpacked"))) {
            return folders.filter(p -> p.getFileName().toString().startsWith(name + "-")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited in vain for " + what);
            }
            LockSupport.parkNanos(20_000_000);
        }
    }

    private static String catalogue(String baseSha, String helloSha) {
        return """
                {"plugins": [
                  {"id": "base", "name": "Base plugin", "description": "What hello needs", "provider": "Tests",
                   "license": "MIT", "releases": [
                     {"version": "1.0.0", "requires": ">=0.1.0", "url": "base-1.0.0.zip", "sha256": "%s"}]},
                  {"id": "hello", "name": "Hello plugin", "description": "Says hello", "provider": "Tests",
                   "license": "MIT", "releases": [
                     {"version": "9.0.0", "requires": ">=99.0.0", "url": "hello-9.0.0.zip",
                      "sha256": "%s"},
                     {"version": "1.1.0", "requires": ">=0.1.0", "dependencies": {"base": ">=1.0.0 & <2.0.0"},
                      "url": "hello-1.1.0.zip", "sha256": "%s"}]}
                ]}
                """.formatted(baseSha, helloSha, helloSha);
    }

    /** Writes the catalogue and its detached signature, raw, as {@code openssl pkeyutl -sign -rawin} does. */
    private static void publish(Path site, String catalogue, KeyPair signer) throws Exception {
        byte[] bytes = catalogue.getBytes(StandardCharsets.UTF_8);
        Signature signature = Signature.getInstance("Ed25519");
        signature.initSign(signer.getPrivate());
        signature.update(bytes);
        Files.write(site.resolve("plugins.json"), bytes);
        Files.write(site.resolve("plugins.json.sig"), signature.sign());
    }

    private static KeyPair ed25519() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static String sha256(byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
