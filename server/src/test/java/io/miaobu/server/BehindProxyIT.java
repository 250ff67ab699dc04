package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real server configured as in production behind a TLS-terminating proxy on this host: https public URL, the proxy
 * trusted, CORS open to one origin.
 */
class BehindProxyIT {

    private static final String PUBLIC = "https://miaobu.test";

    @TempDir
    Path temp;

    @Test
    void enforcesHttpsBelievesOnlyTheTrustedProxyAndMarksCookiesSecure() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("public.url", PUBLIC + "/",
                "trusted.proxies", "127.0.0.1, ::1", "cors.allowed.origins", "https://app.example")).start()) {
            // plain http straight to Miaobu: sent to https; probes stay on http
            var direct = server.send(HttpRequest.newBuilder(server.uri("/login?next=/plugins")).GET());
            assertThat(direct.statusCode()).isEqualTo(308);
            assertThat(direct.headers().firstValue("Location")).contains(PUBLIC + "/login?next=/plugins");
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/health/live")).GET()).statusCode())
                    .isEqualTo(200);

            // through the proxy: https, HSTS, Secure cookies, the client's own address
            var page = server.send(viaProxy(server, "/login", "203.0.113.9").GET());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Strict-Transport-Security")).contains("max-age=31536000");
            var signIn = server.send(viaProxy(server, "/login", "6.6.6.6, 203.0.113.9")
                    .header("Origin", PUBLIC)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=admin&password="
                            + TestServer.PASSWORD.replace(" ", "+"))));
            assertThat(signIn.statusCode()).isEqualTo(303);
            assertThat(signIn.headers().allValues("Set-Cookie")).filteredOn(c -> c.startsWith("miaobu_"))
                    .isNotEmpty().allMatch(c -> c.contains("Secure") && c.contains("HttpOnly"));
            var apiSignIn = server.send(viaProxy(server, "/api/v1/auth/login", "203.0.113.10")
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\""
                            + TestServer.PASSWORD + "\"}")));
            String token = TestServer.jsonMapper().readTree(apiSignIn.body()).get("accessToken").asText();
            JsonNode signedIn = TestServer.jsonMapper().readTree(server.send(
                    viaProxy(server, "/api/v1/admin/audit?action=auth.signed_in", "203.0.113.10")
                            .header("Authorization", "Bearer " + token).GET()).body());
            // the right-most address the proxy did not add is the client: a client cannot pick its own
            assertThat(signedIn.at("/items/0/clientAddress").asText()).isEqualTo("203.0.113.10");
            assertThat(signedIn.at("/items/1/clientAddress").asText()).isEqualTo("203.0.113.9");

            // CORS: the configured origin may call the API from a browser, no other
            var preflight = server.send(viaProxy(server, "/api/v1/projects", "203.0.113.9")
                    .header("Origin", "https://app.example")
                    .header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(preflight.statusCode()).isEqualTo(204);
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
            var foreign = server.send(viaProxy(server, "/api/v1/projects", "203.0.113.9")
                    .header("Origin", "https://evil.example")
                    .header("Access-Control-Request-Method", "POST")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    private static HttpRequest.Builder viaProxy(TestServer server, String path, String forwardedFor) {
        return HttpRequest.newBuilder(server.uri(path))
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "miaobu.test")
                .header("X-Forwarded-For", forwardedFor);
    }
}
