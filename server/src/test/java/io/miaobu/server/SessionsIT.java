package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.CookieManager;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions, refresh tokens, sign-out and API tokens against a real server. */
class SessionsIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    @Test
    void refreshTokensRotateAndASpentOneUsedAgainEndsTheWholeSession() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            JsonNode first = login(server, TestServer.ADMIN, TestServer.PASSWORD);
            assertThat(first.get("expiresIn").asLong()).isEqualTo(900);
            assertThat(first.get("refreshExpiresIn").asLong()).isEqualTo(7 * 24 * 3600);
            assertThat(first.get("refreshToken").asText()).startsWith("mbr_");

            JsonNode second = refresh(server, first.get("refreshToken").asText(), 200);
            assertThat(second.get("refreshToken").asText()).isNotEqualTo(first.get("refreshToken").asText());
            assertThat(me(server, second.get("accessToken").asText())).isEqualTo(200);

            // the first refresh token again: stolen, or its holder was. The whole family ends.
            JsonNode reuse = refresh(server, first.get("refreshToken").asText(), 401);
            assertThat(reuse.at("/error/message").asText()).contains("already used");
            assertThat(me(server, second.get("accessToken").asText())).isEqualTo(401);
            assertThat(me(server, first.get("accessToken").asText())).isEqualTo(401);
            refresh(server, second.get("refreshToken").asText(), 401);

            JsonNode audit = server.json("GET", "/api/v1/admin/audit?action=auth.refresh_token_reused", null, 200);
            assertThat(audit.get("items")).hasSize(1);
            refresh(server, "mbr_not-a-token-at-all-000000000000000", 401);
            refresh(server, "", 400);
        }
    }

    @Test
    void signingOutEndsTheSessionServerSideAndOtherSessionsCanBeEnded() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            JsonNode laptop = login(server, TestServer.ADMIN, TestServer.PASSWORD);
            JsonNode phone = login(server, TestServer.ADMIN, TestServer.PASSWORD);
            String laptopAccess = laptop.get("accessToken").asText();

            JsonNode sessions = server.jsonAs(laptopAccess, "GET", "/api/v1/account/sessions", null, 200);
            assertThat(sessions.get("items").size()).isGreaterThanOrEqualTo(2);
            JsonNode current = find(sessions, "current", true);
            assertThat(sessions.toString()).doesNotContain(laptop.get("refreshToken").asText());

            // end the phone's session from the laptop
            String phoneSession = null;
            for (JsonNode session : sessions.get("items")) {
                if (!session.get("current").asBoolean()) {
                    phoneSession = session.get("id").asText();
                    server.jsonAs(laptopAccess, "DELETE", "/api/v1/account/sessions/" + phoneSession, null, 204);
                }
            }
            assertThat(phoneSession).isNotNull();
            assertThat(me(server, phone.get("accessToken").asText())).isEqualTo(401);
            refresh(server, phone.get("refreshToken").asText(), 401);
            assertThat(current.get("id").asText()).isNotEqualTo(phoneSession);

            // sign out: the access token dies with its session, long before it would expire
            server.jsonAs(laptopAccess, "POST", "/api/v1/auth/logout", null, 204);
            assertThat(me(server, laptopAccess)).isEqualTo(401);
            refresh(server, laptop.get("refreshToken").asText(), 401);
        }
    }

    @Test
    void changingThePasswordEndsTheOtherSessionsAndRotatingTheSigningKeySignsOutNobody() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            server.json("POST", "/api/v1/admin/users", Map.of("username", "grace", "password", PASSWORD), 201);
            String one = login(server, "grace", PASSWORD).get("accessToken").asText();
            String two = login(server, "grace", PASSWORD).get("accessToken").asText();

            String adminAccess = server.token();
            JsonNode rotated = server.json("POST", "/api/v1/admin/signing-keys/rotate", null, 200);
            assertThat(rotated.get("keptKeyIds").size()).isGreaterThanOrEqualTo(2);
            assertThat(me(server, adminAccess)).isEqualTo(200);
            assertThat(me(server, one)).isEqualTo(200);

            JsonNode wrong = server.jsonAs(one, "POST", "/api/v1/account/password",
                    Map.of("currentPassword", "not it", "newPassword", "a new long password"), 400);
            assertThat(wrong.at("/error/field").asText()).isEqualTo("currentPassword");
            server.jsonAs(one, "POST", "/api/v1/account/password",
                    Map.of("currentPassword", PASSWORD, "newPassword", "a new long password"), 204);
            assertThat(me(server, one)).isEqualTo(200);
            assertThat(me(server, two)).isEqualTo(401);
            assertThat(loginStatus(server, "grace", PASSWORD)).isEqualTo(401);
            assertThat(loginStatus(server, "grace", "a new long password")).isEqualTo(200);
        }
    }

    @Test
    void apiTokensAreShownOnceStoredAsHashesLimitedByScopeAndRevocable() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of()).start()) {
            repo.commitMessage("tokens");
            long project = server.json("POST", "/api/v1/projects", Map.of("name", "Tokens",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();

            JsonNode read = server.json("POST", "/api/v1/account/tokens", Map.of("name", "CI (read)",
                    "scopes", List.of("read")), 201);
            String readSecret = read.get("secret").asText();
            assertThat(readSecret).startsWith("mbt_").hasSizeGreaterThan(40);
            assertThat(read.at("/token/prefix").asText()).isEqualTo(readSecret.substring(0, 12));

            assertThat(server.jsonAs(readSecret, "GET", "/api/v1/projects/" + project, null, 200).get("id").asLong())
                    .isEqualTo(project);
            JsonNode refused = server.jsonAs(readSecret, "POST", "/api/v1/projects/" + project + "/deployments",
                    Map.of(), 403);
            assertThat(refused.at("/error/message").asText()).contains("'deploy' scope");

            String deploySecret = server.json("POST", "/api/v1/account/tokens", Map.of("name", "CI (deploy)",
                    "scopes", List.of("deploy")), 201).get("secret").asText();
            long deployment = server.jsonAs(deploySecret, "POST", "/api/v1/projects/" + project + "/deployments",
                    Map.of(), 201).get("id").asLong();
            server.awaitFinal(deployment);
            JsonNode triggered = server.json("GET", "/api/v1/admin/audit?action=deploy.triggered", null, 200)
                    .get("items").get(0);
            assertThat(triggered.get("target").asText()).isEqualTo("project:tokens");
            assertThat(triggered.get("actorName").asText()).isEqualTo(TestServer.ADMIN);
            assertThat(triggered.get("clientAddress").asText()).isEqualTo("127.0.0.1");
            server.jsonAs(deploySecret, "PATCH", "/api/v1/projects/" + project, Map.of("name", "Renamed"), 403);
            server.jsonAs(deploySecret, "POST", "/api/v1/account/tokens", Map.of("name", "x", "scopes",
                    List.of("read")), 403);
            server.jsonAs(deploySecret, "POST", "/api/v1/auth/logout", null, 403);

            // the list shows prefixes and use, never a secret
            JsonNode list = server.json("GET", "/api/v1/account/tokens", null, 200);
            assertThat(list.toString()).doesNotContain(readSecret).doesNotContain(deploySecret);
            JsonNode readToken = find(list, "name", "CI (read)");
            assertThat(readToken.get("lastUsedAt").isNull()).isFalse();
            assertThat(readToken.get("scopes").toString()).isEqualTo("[\"read\"]");

            // bad requests say what is wrong
            assertThat(server.json("POST", "/api/v1/account/tokens", Map.of("name", "x", "scopes",
                    List.of("root")), 400).at("/error/field").asText()).isEqualTo("scopes");
            assertThat(server.json("POST", "/api/v1/account/tokens", Map.of("name", "x", "scopes",
                    List.of("read"), "expiresAt", Instant.now().minusSeconds(60).toString()), 400)
                    .at("/error/field").asText()).isEqualTo("expiresAt");
            assertThat(server.json("POST", "/api/v1/account/tokens", Map.of("name", "<b>", "scopes",
                    List.of("read")), 400).at("/error/field").asText()).isEqualTo("name");

            server.api("DELETE", "/api/v1/account/tokens/" + read.at("/token/id").asLong(), null);
            server.jsonAs(readSecret, "GET", "/api/v1/projects/" + project, null, 401);
            server.jsonAs("mbt_" + "A".repeat(43), "GET", "/api/v1/projects/" + project, null, 401);

            server.json("DELETE", "/api/v1/projects/" + project + "?confirm=tokens", null, 204);
            assertThat(server.json("GET", "/api/v1/admin/audit?action=project.deleted", null, 200)
                    .at("/items/0/target").asText()).isEqualTo("project:tokens");
        }
    }

    @Test
    void pagesRefreshAnExpiredAccessCookieWithTheRefreshCookie() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("session.access.ttl", "1")).start()) {
            var browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NEVER).build();
            var signIn = browser.send(HttpRequest.newBuilder(server.uri("/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=admin&password="
                            + TestServer.PASSWORD.replace(" ", "+"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(signIn.statusCode()).isEqualTo(303);
            List<String> cookies = signIn.headers().allValues("Set-Cookie");
            assertThat(cookies).anyMatch(c -> c.startsWith("miaobu_session=") && c.contains("HttpOnly")
                    && c.contains("SameSite=Lax"));
            assertThat(cookies).anyMatch(c -> c.startsWith("miaobu_refresh=mbr_") && c.contains("HttpOnly")
                    && c.contains("SameSite=Lax"));
            String access = cookieValue(cookies, "miaobu_session");

            // wait (polling) until the one-second access token has expired
            Instant deadline = Instant.now().plusSeconds(10);
            while (me(server, access) == 200 && Instant.now().isBefore(deadline)) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
            assertThat(me(server, access)).isEqualTo(401);

            var page = browser.send(HttpRequest.newBuilder(server.uri("/")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().allValues("Set-Cookie")).anyMatch(c -> c.startsWith("miaobu_session=")
                    && !c.startsWith("miaobu_session=;")).anyMatch(c -> c.startsWith("miaobu_refresh=mbr_"));
            String renewedAccess = cookieValue(page.headers().allValues("Set-Cookie"), "miaobu_session");
            String refreshToken = cookieValue(page.headers().allValues("Set-Cookie"), "miaobu_refresh");

            // signing out after the access cookie has expired still ends the session on the server
            deadline = Instant.now().plusSeconds(10);
            while (me(server, renewedAccess) == 200 && Instant.now().isBefore(deadline)) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000);
            }
            var signOut = browser.send(HttpRequest.newBuilder(server.uri("/logout"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(signOut.statusCode()).isEqualTo(303);
            refresh(server, refreshToken, 401);
        }
    }

    private static String cookieValue(List<String> setCookies, String name) {
        return setCookies.stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .map(c -> c.substring(name.length() + 1, c.indexOf(';'))).orElseThrow();
    }

    private static JsonNode find(JsonNode listing, String field, Object value) {
        for (JsonNode item : listing.get("items")) {
            if (item.get(field).asText().equals(String.valueOf(value))) {
                return item;
            }
        }
        throw new AssertionError("no item with " + field + "=" + value + " in " + listing);
    }

    private static JsonNode login(TestServer server, String username, String password) throws Exception {
        var response = server.signIn(username, password);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestServer.jsonMapper().readTree(response.body());
    }

    private static int loginStatus(TestServer server, String username, String password) throws Exception {
        return server.signIn(username, password).statusCode();
    }

    private static JsonNode refresh(TestServer server, String refreshToken, int expected) throws Exception {
        var response = post(server, "/api/v1/auth/refresh", Map.of("refreshToken", refreshToken));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        return TestServer.jsonMapper().readTree(response.body());
    }

    private static int me(TestServer server, String accessToken) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/api/v1/account"))
                .header("Authorization", "Bearer " + accessToken).GET()).statusCode();
    }

    private static HttpResponse<String> post(TestServer server, String path, Object body) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.jsonMapper().writeValueAsString(body))));
    }
}
