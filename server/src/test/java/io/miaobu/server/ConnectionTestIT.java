package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.config.ConnectionCheck;
import io.miaobu.api.dns.DnsProvider;
import io.miaobu.api.dns.DnsRecord;
import io.miaobu.server.auth.AccessFilter;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An extension's connection test through the API and the settings page, with its stored settings. */
class ConnectionTestIT {

    @TempDir
    Path temp;

    /** A DNS service whose one setting is a token; "good" has every permission, "read-only" cannot write. */
    static final class StandInDns implements DnsProvider {

        @Override
        public String id() {
            return "stand-in-dns";
        }

        @Override
        public String displayName() {
            return "Stand-in DNS";
        }

        @Override
        public ConfigSchema globalSettings() {
            return ConfigSchema.of(ConfigField.secret("token", "Token", "The API token."));
        }

        @Override
        public List<ConnectionCheck> checkConnection(ConfigValues global) {
            String token = global.secret("token").map(s -> s.reveal()).orElse("");
            if (token.equals("explode")) {
                throw new IllegalStateException("the plugin has a bug with token " + token);
            }
            if (token.equals("refused")) {
                throw new ExtensionException("The DNS service could not be reached.");
            }
            boolean known = token.equals("good") || token.equals("read-only");
            return List.of(
                    known ? ConnectionCheck.passed("Token accepted", "") : ConnectionCheck.failed("Token accepted",
                            "InvalidToken"),
                    token.equals("good") ? ConnectionCheck.passed("Create records", "")
                            : ConnectionCheck.failed("Create records", "Forbidden: dns:AddRecord"));
        }

        @Override
        public boolean manages(ConfigValues global, String domain) {
            return false;
        }

        @Override
        public String createRecord(ConfigValues global, DnsRecord record) {
            throw new ExtensionException("not used");
        }

        @Override
        public void deleteRecord(ConfigValues global, String recordId) {
        }
    }

    @Test
    void reportsEachCheckWithTheStoredSettingsAndNamesTheMissingPermission() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of(), List.of(new StandInDns())).start()) {
            String base = "/api/v1/extensions/DnsProvider/stand-in-dns";

            server.json("PUT", base + "/settings", Map.of("values", Map.of("token", "read-only")), 200);
            JsonNode readOnly = server.json("POST", base + "/check", null, 200);
            assertThat(readOnly.get("supported").asBoolean()).isTrue();
            assertThat(readOnly.get("passed").asBoolean()).isFalse();
            assertThat(readOnly.get("checks").findValuesAsText("name")).containsExactly("Token accepted",
                    "Create records");
            assertThat(readOnly.get("checks").get(1).get("detail").asText()).isEqualTo("Forbidden: dns:AddRecord");

            server.json("PUT", base + "/settings", Map.of("values", Map.of("token", "good")), 200);
            assertThat(server.json("POST", base + "/check", null, 200).get("passed").asBoolean()).isTrue();

            server.json("PUT", base + "/settings", Map.of("values", Map.of("token", "refused")), 200);
            JsonNode refused = server.json("POST", base + "/check", null, 200);
            assertThat(refused.get("checks").get(0).get("detail").asText())
                    .isEqualTo("The DNS service could not be reached.");

            server.json("PUT", base + "/settings", Map.of("values", Map.of("token", "explode")), 200);
            JsonNode exploded = server.json("POST", base + "/check", null, 200);
            assertThat(exploded.get("passed").asBoolean()).isFalse();
            assertThat(exploded.toString()).contains("reference").doesNotContain("explode");

            // an extension without a test says so
            JsonNode git = server.json("POST", "/api/v1/extensions/SourceProvider/git/check", null, 200);
            assertThat(git.get("supported").asBoolean()).isFalse();
        }
    }

    @Test
    void theSettingsPageRunsTheTestAndShowsWhichCheckFailed() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of(), List.of(new StandInDns())).start()) {
            server.json("PUT", "/api/v1/extensions/DnsProvider/stand-in-dns/settings",
                    Map.of("values", Map.of("token", "read-only")), 200);
            var browser = new Browser();
            HttpResponse<String> login = browser.postForm(server.uri("/login"), "username="
                    + TestServer.ADMIN + "&password=" + URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8));
            assertThat(browser.cookie("127.0.0.1", AccessFilter.ACCESS_COOKIE)).as(login.body()).isNotNull();
            HttpResponse<String> page = browser.get(server.uri("/admin/extensions/DnsProvider/stand-in-dns/settings"));
            assertThat(page.body()).contains("action=\"/admin/extensions/DnsProvider/stand-in-dns/check\"");
            Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(page.body());
            assertThat(csrf.find()).isTrue();

            HttpResponse<String> checked = browser.postForm(
                    server.uri("/admin/extensions/DnsProvider/stand-in-dns/check"), "csrf=" + csrf.group(1));

            assertThat(checked.statusCode()).isEqualTo(200);
            assertThat(checked.body()).contains("check--failed").contains("Forbidden: dns:AddRecord")
                    .contains("check--passed");
        }
    }
}
