package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits and account lockout trigger, answer 429/403 with the wait, and release. */
class AbuseLimitsIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    @Test
    void theSignInLimitAnswers429WithRetryAfterAndReleases() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.login", "3/2s")).start()) {
            for (int i = 0; i < 3; i++) {
                assertThat(login(server, TestServer.ADMIN, TestServer.PASSWORD).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> limited = login(server, TestServer.ADMIN, TestServer.PASSWORD);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).hasValueSatisfying(
                    seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 2L));
            assertThat(json(limited).at("/error/code").asText()).isEqualTo("rate_limited");
            // the page form shares the limit
            var page = server.send(HttpRequest.newBuilder(server.uri("/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=admin&password=x")));
            assertThat(page.statusCode()).isEqualTo(429);
            assertThat(page.headers().firstValue("Retry-After")).isPresent();

            assertThat(awaitStatus(() -> login(server, TestServer.ADMIN, TestServer.PASSWORD), 200,
                    Duration.ofSeconds(5))).isEqualTo(200);
        }
    }

    @Test
    void theGlobalPerClientLimitCoversEveryRoute() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.global", "25/1m")).start()) {
            int refused = 0;
            HttpResponse<String> last = null;
            for (int i = 0; i < 30; i++) {
                last = server.send(HttpRequest.newBuilder(server.uri("/login")).GET());
                if (last.statusCode() == 429) {
                    refused++;
                }
            }
            assertThat(refused).isEqualTo(5);
            assertThat(last.headers().firstValue("Retry-After")).isPresent();
            assertThat(server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects")).GET()).statusCode())
                    .isEqualTo(429);
        }
    }

    @Test
    void webhookDeliveriesHaveTheirOwnLimitInsteadOfTheGlobalOne() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.global", "5/1m",
                "ratelimit.webhook", "8/1m")).start()) {
            var answers = new java.util.ArrayList<Integer>();
            for (int i = 0; i < 10; i++) {
                answers.add(server.send(HttpRequest.newBuilder(server.uri("/hooks/github/1"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))).statusCode());
            }
            // past the global limit of 5, refused (404: no such project) until the webhook limit of 8
            assertThat(answers.subList(0, 8)).containsOnly(404);
            assertThat(answers.subList(8, 10)).containsOnly(429);
        }
    }

    @Test
    void anAccountLocksForLongerEachTimeAndAnAdminSeesAndLiftsTheLock() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("lockout.threshold", "3",
                "lockout.first", "2", "ratelimit.login", "100/1m")).start()) {
            long grace = server.json("POST", "/api/v1/admin/users", Map.of("username", "grace", "password",
                    PASSWORD), 201).get("id").asLong();

            for (int i = 0; i < 3; i++) {
                assertThat(login(server, "grace", "wrong password").statusCode()).isEqualTo(401);
            }
            HttpResponse<String> locked = login(server, "grace", PASSWORD);
            assertThat(locked.statusCode()).isEqualTo(403);
            assertThat(json(locked).at("/error/code").asText()).isEqualTo("account_locked");
            JsonNode seen = server.json("GET", "/api/v1/admin/users/" + grace, null, 200);
            assertThat(seen.get("locked").asBoolean()).isTrue();
            Duration firstLock = Duration.between(Instant.now(), Instant.parse(seen.get("lockedUntil").asText()));
            assertThat(firstLock).isBetween(Duration.ZERO, Duration.ofSeconds(2));

            // the lock runs out by itself
            assertThat(awaitStatus(() -> login(server, "grace", PASSWORD), 200, Duration.ofSeconds(6)))
                    .isEqualTo(200);

            // three failures after a success lock again for the first period; without a success in between,
            // the next lock is twice as long
            for (int i = 0; i < 3; i++) {
                login(server, "grace", "wrong password");
            }
            awaitStatus(() -> login(server, "grace", "wrong password"), 401, Duration.ofSeconds(6));
            login(server, "grace", "wrong password");
            login(server, "grace", "wrong password");
            Instant lockedAt = Instant.now();
            JsonNode second = server.json("GET", "/api/v1/admin/users/" + grace, null, 200);
            Duration secondLock = Duration.between(lockedAt, Instant.parse(second.get("lockedUntil").asText()));
            assertThat(secondLock).isBetween(Duration.ofMillis(3000), Duration.ofSeconds(4));

            server.json("POST", "/api/v1/admin/users/" + grace + "/unlock", null, 200);
            assertThat(login(server, "grace", PASSWORD).statusCode()).isEqualTo(200);
            JsonNode audit = server.json("GET", "/api/v1/admin/audit?action=user.locked", null, 200);
            assertThat(audit.get("items").size()).isEqualTo(3);
            assertThat(server.json("GET", "/api/v1/admin/audit?action=user.unlocked&actor=admin", null, 200)
                    .get("items")).hasSize(1);
            assertThat(server.json("GET", "/api/v1/admin/audit?action=auth.sign_in_failed", null, 200)
                    .get("items").size()).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void failedSignInsFromOneAddressAreLimitedWhicheverAccountsTheyTry() throws Exception {
        try (var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.sign-in-failures", "5/1m",
                "ratelimit.login", "100/1m")).start()) {
            server.json("POST", "/api/v1/admin/users", Map.of("username", "grace", "password", PASSWORD), 201);
            for (String name : new String[] {"alice", "bob", "carol", "dave"}) {
                assertThat(login(server, name, "guess").statusCode()).isEqualTo(401);
            }
            // a username with a line break cannot forge a line of the audit log
            login(server, "mallory\nauth.signed_in by admin", "guess");
            assertThat(server.json("GET", "/api/v1/admin/audit?action=auth.sign_in_failed", null, 200).toString())
                    .contains("user:mallory?auth.signed_in by admin").doesNotContain("mallory\\n");
            HttpResponse<String> refused = login(server, "grace", PASSWORD);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(json(refused).at("/error/message").asText()).contains("failed sign-ins");
        }
    }

    private static HttpResponse<String> login(TestServer server, String username, String password) throws Exception {
        return server.signIn(username, password);
    }

    @FunctionalInterface
    private interface Call {
        HttpResponse<String> send() throws Exception;
    }

    /** Repeats the call until it answers {@code status} or the time is up; returns the last status. */
    private static int awaitStatus(Call call, int status, Duration limit) throws Exception {
        Instant deadline = Instant.now().plus(limit);
        int last;
        do {
            last = call.send().statusCode();
            if (last == status) {
                return last;
            }
            LockSupport.parkNanos(200_000_000);
        } while (Instant.now().isBefore(deadline));
        return last;
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return TestServer.jsonMapper().readTree(response.body());
    }
}
