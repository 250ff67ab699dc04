package io.miaobu.server;

import static io.miaobu.server.BuildSystemIT.createProject;
import static io.miaobu.server.BuildSystemIT.deploy;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications end to end on a real server with the bundled webhook plugin: events from real builds (broken and
 * fixed over a sequence of results), signed deliveries to a local receiver, retries with backoff, dead letters an
 * admin retries, the address guard, and a hanging receiver that holds up nobody else.
 */
class NotificationsIT {

    @TempDir
    Path temp;

    @RegisterExtension
    final WebhookReceiver receiver = new WebhookReceiver();

    private TestServer server() {
        return new TestServer(temp.resolve("home"), Map.of(
                "outbound.allowed.networks", "127.0.0.0/8",
                "notifications.retry.first", "1",
                "notifications.attempts", "3",
                "notifications.timeout", "3"));
    }

    @Test
    void brokenAndFixedFollowTheBuildsAndEveryDeliveryIsSigned() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = server().start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    if (fs.existsSync('FAIL')) { console.error('failing on purpose'); process.exit(3); }
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>ok</h1>');
                    """);
            repo.commit("builds");
            long project = createProject(server, repo, "Signals");
            JsonNode channel = server.json("POST", "/api/v1/projects/" + project + "/notifications/channels",
                    Map.of("notifier", "webhook", "name", "Receiver",
                            "events", List.of("deployment.succeeded", "deployment.failed", "deployment.broken",
                                    "deployment.fixed"),
                            "settings", Map.of("url", receiver.url("/ok"))), 201);
            String secret = channel.at("/generatedSecrets/secret").asText();
            assertThat(secret).hasSizeGreaterThan(40);
            // write-only from now on
            JsonNode shown = server.json("GET", "/api/v1/projects/" + project + "/notifications/channels/"
                    + channel.get("id").asLong(), null, 200);
            assertThat(shown.toString()).doesNotContain(secret);
            assertThat(shown.get("generatedSecrets").isNull()).isTrue();

            // ok, fail, fail, ok, ok
            boolean[] fails = {false, true, true, false, false};
            for (boolean fail : fails) {
                if (fail) {
                    Files.writeString(repo.directory().resolve("FAIL"), "x");
                } else {
                    Files.deleteIfExists(repo.directory().resolve("FAIL"));
                }
                repo.commit(fail ? "break it" : "fix it");
                server.awaitFinal(deploy(server, project));
            }

            List<String> expected = List.of("deployment.succeeded", "deployment.failed", "deployment.broken",
                    "deployment.failed", "deployment.succeeded", "deployment.fixed", "deployment.succeeded");
            await(() -> receiver.received().size() >= expected.size(), Duration.ofSeconds(30),
                    () -> "received " + receiver.received());
            List<String> events = new ArrayList<>();
            for (WebhookReceiver.Received delivery : receiver.received()) {
                JsonNode body = TestServer.jsonMapper().readTree(delivery.body());
                events.add(body.get("event").asText());
                assertThat(body.get("schema").asInt()).isEqualTo(1);
                assertThat(body.at("/project/slug").asText()).isEqualTo("signals");
                assertThat(body.at("/deployment/url").asText())
                        .isEqualTo("http://localhost:" + server.port() + "/deployments/" + body.at("/deployment/id")
                                .asLong());
                // the documented recipe: hex HMAC-SHA256 of "<timestamp>.<body>" with the channel's secret
                String timestamp = delivery.headers().get("x-miaobu-timestamp");
                assertThat(delivery.headers().get("x-miaobu-signature"))
                        .isEqualTo("v1=" + hmac(secret, timestamp + "." + delivery.body()));
                assertThat(Math.abs(Instant.now().getEpochSecond() - Long.parseLong(timestamp))).isLessThan(120);
                assertThat(delivery.headers().get("x-miaobu-event")).isEqualTo(events.get(events.size() - 1));
            }
            assertThat(events).containsExactlyElementsOf(expected);
            WebhookReceiver.Received failed = receiver.received().get(1);
            assertThat(failed.body()).contains("exit code 3");
            // a replayed old delivery is told apart: its signature covers its timestamp
            assertThat(hmac(secret, (Long.parseLong(failed.headers().get("x-miaobu-timestamp")) - 600) + "."
                    + failed.body())).isNotEqualTo(failed.headers().get("x-miaobu-signature").substring(3));

            JsonNode log = server.json("GET", "/api/v1/projects/" + project + "/notifications/channels/"
                    + channel.get("id").asLong() + "/deliveries", null, 200);
            assertThat(log.get("items")).hasSize(expected.size());
            assertThat(log.at("/items/0/status").asText()).isEqualTo("DELIVERED");
            assertThat(log.at("/items/0/statusCode").asInt()).isEqualTo(200);
        }
    }

    @Test
    void failuresAreRetriedThenDeadLetteredAndAdminsCanRetryWithoutOneReceiverHoldingUpAnother() throws Exception {
        receiver.answer("/flaky", 500, 200);
        receiver.answer("/down", 503);
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = server().start()) {
            repo.writeBuildScript("""
                    const fs = require('fs');
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>ok</h1>');
                    """);
            repo.commit("builds");
            long project = createProject(server, repo, "Retries");
            String channels = "/api/v1/projects/" + project + "/notifications/channels";
            long hanging = channel(server, channels, "/hang");
            long flaky = channel(server, channels, "/flaky");
            long down = channel(server, channels, "/down");
            long metadata = server.json("POST", channels, Map.of("notifier", "webhook",
                    "events", List.of("deployment.succeeded"),
                    "settings", Map.of("url", "http://169.254.169.254/latest/meta-data/")), 201).get("id").asLong();

            long deployment = deploy(server, project);
            assertThat(server.awaitFinal(deployment).get("status").asText()).isEqualTo("LIVE");

            // 500 then 200: delivered on the second try, both tries in the log
            JsonNode flakyDelivery = awaitDelivery(server, channels, flaky, "DELIVERED");
            assertThat(flakyDelivery.get("attempts").asInt()).isEqualTo(2);
            JsonNode tries = server.json("GET", "/api/v1/admin/notifications/deliveries/"
                    + flakyDelivery.get("id").asLong(), null, 200).get("tries");
            assertThat(tries).hasSize(2);
            assertThat(tries.at("/0/succeeded").asBoolean()).isFalse();
            assertThat(tries.at("/0/statusCode").asInt()).isEqualTo(500);
            assertThat(tries.at("/1/statusCode").asInt()).isEqualTo(200);

            // an internal address is refused before anything is sent, and not retried
            JsonNode refused = awaitDelivery(server, channels, metadata, "DEAD");
            assertThat(refused.get("attempts").asInt()).isEqualTo(1);
            assertThat(refused.get("detail").asText()).contains("169.254.169.254").contains("link-local");

            // always 503: dead after three tries, listed for admins
            JsonNode dead = awaitDelivery(server, channels, down, "DEAD");
            assertThat(dead.get("attempts").asInt()).isEqualTo(3);
            assertThat(dead.get("statusCode").asInt()).isEqualTo(503);
            assertThat(receiver.calls("/down")).isEqualTo(3);
            JsonNode letters = server.json("GET", "/api/v1/admin/notifications/deliveries", null, 200);
            assertThat(letters.get("items").findValuesAsText("id")).contains(dead.get("id").asText(),
                    refused.get("id").asText());

            // meanwhile the hanging receiver held up nobody, and its tries were abandoned after the time limit
            JsonNode hung = latestDelivery(server, channels, hanging);
            assertThat(hung.get("status").asText()).isIn("PENDING", "SENDING", "DEAD");
            assertThat(hung.get("detail").asText()).contains("No answer within 3 s");

            // the receiver is back: an admin retries the dead letter and it is delivered
            receiver.answer("/down", 200);
            server.json("POST", "/api/v1/admin/notifications/deliveries/" + dead.get("id").asLong() + "/retry",
                    null, 200);
            JsonNode retried = awaitDelivery(server, channels, down, "DELIVERED");
            assertThat(retried.get("attempts").asInt()).isEqualTo(4);
            // dropping works on dead letters only
            server.json("POST", "/api/v1/admin/notifications/deliveries/" + refused.get("id").asLong() + "/drop",
                    null, 200);
            server.json("POST", "/api/v1/admin/notifications/deliveries/" + retried.get("id").asLong() + "/drop",
                    null, 409);

            // the test button answers at once with the receiver's answer
            JsonNode test = server.json("POST", channels + "/" + flaky + "/test", null, 200);
            assertThat(test.get("delivered").asBoolean()).isTrue();
            assertThat(test.get("statusCode").asInt()).isEqualTo(200);
            assertThat(receiver.last().body()).contains("\"event\":\"test\"");
        }
    }

    @Test
    void membersGetTheDefaultEmailsWithBothBodiesAndTheLinkAndAdminsCanTestTheSmtpSettings() throws Exception {
        var smtp = new com.icegreen.greenmail.util.GreenMail(new com.icegreen.greenmail.util.ServerSetup(
                TestServer.freePort(), "127.0.0.1", "smtp"));
        smtp.start();
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = server().start()) {
            server.json("PUT", "/api/v1/extensions/Notifier/email/settings", Map.of("values", Map.of(
                    "host", "127.0.0.1", "port", Integer.toString(smtp.getSmtp().getPort()), "security", "none",
                    "from-address", "miaobu@example.com")), 200);
            // without an address of one's own there is nowhere to send a test
            server.json("POST", "/api/v1/notifiers/email/test", null, 400);
            server.json("PUT", "/api/v1/account/email", Map.of("email", "not an address"), 400);
            server.json("PUT", "/api/v1/account/email", Map.of("email", "admin@example.com"), 200);
            JsonNode test = server.json("POST", "/api/v1/notifiers/email/test", null, 200);
            assertThat(test.get("delivered").asBoolean()).as(test.toString()).isTrue();
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            assertThat(smtp.getReceivedMessages()[0].getSubject()).contains("Test notification");

            repo.writeBuildScript("""
                    const fs = require('fs');
                    if (fs.existsSync('FAIL')) { console.error('failing on purpose'); process.exit(3); }
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<h1>ok</h1>');
                    """);
            Files.writeString(repo.directory().resolve("FAIL"), "x");
            repo.commit("broken");
            // the creator owns the project and has an address; their own channel for it (below) replaces the defaults
            long project = createProject(server, repo, "Mailed");
            // a person's own channel may be limited to one project, of theirs
            server.json("POST", "/api/v1/admin/users", Map.of("username", "ada", "password", TestServer.PASSWORD,
                    "role", "user"), 201);
            String ada = TestServer.jsonMapper().readTree(server.signIn("ada", TestServer.PASSWORD).body())
                    .get("accessToken").asText();
            JsonNode refusedChannel = TestServer.jsonMapper().readTree(server.apiAs(ada, "POST",
                    "/api/v1/account/notifications/channels?projectId=" + project,
                    Map.of("notifier", "email", "events", List.of("deployment.failed"))).body());
            assertThat(refusedChannel.at("/error/field").asText()).isEqualTo("projectId");
            JsonNode limited = server.json("POST", "/api/v1/account/notifications/channels?projectId=" + project,
                    Map.of("notifier", "email", "events", List.of("deployment.failed", "deployment.fixed")), 201);
            assertThat(limited.get("projectId").asLong()).isEqualTo(project);

            long failed = deploy(server, project);
            assertThat(server.awaitFinal(failed).get("status").asText()).isEqualTo("FAILED");
            await(() -> smtp.getReceivedMessages().length >= 2, Duration.ofSeconds(30),
                    () -> smtp.getReceivedMessages().length + " messages");
            var message = smtp.getReceivedMessages()[1];
            assertThat(message.getSubject()).isEqualTo("[Miaobu] Mailed: deployment #" + failed + " failed");
            assertThat(message.getAllRecipients()).extracting(Object::toString).containsExactly("admin@example.com");
            var parts = (jakarta.mail.Multipart) message.getContent();
            String link = "http://localhost:" + server.port() + "/deployments/" + failed;
            String plain = null;
            String html = null;
            for (int i = 0; i < parts.getCount(); i++) {
                var part = parts.getBodyPart(i);
                if (part.isMimeType("text/plain")) {
                    plain = (String) part.getContent();
                } else if (part.isMimeType("text/html")) {
                    html = (String) part.getContent();
                }
            }
            assertThat(plain).contains(link).contains("exit code 3");
            assertThat(html).contains("href=\"" + link + "\"");

            // deployments that merely succeed are not in the defaults; the fix is
            Files.deleteIfExists(repo.directory().resolve("FAIL"));
            repo.commit("fixed");
            long fixed = deploy(server, project);
            assertThat(server.awaitFinal(fixed).get("status").asText()).isEqualTo("LIVE");
            await(() -> smtp.getReceivedMessages().length >= 3, Duration.ofSeconds(30),
                    () -> smtp.getReceivedMessages().length + " messages");
            assertThat(smtp.getReceivedMessages()[2].getSubject()).contains("fixed");
            assertThat(smtp.getReceivedMessages()).hasSize(3);
        } finally {
            smtp.stop();
        }
    }

    private long channel(TestServer server, String channels, String path) throws Exception {
        return server.json("POST", channels, Map.of("notifier", "webhook", "events", List.of("deployment.succeeded"),
                "settings", Map.of("url", receiver.url(path))), 201).get("id").asLong();
    }

    private static JsonNode latestDelivery(TestServer server, String channels, long channel) throws Exception {
        JsonNode items = server.json("GET", channels + "/" + channel + "/deliveries", null, 200).get("items");
        return items.isEmpty() ? null : items.get(0);
    }

    private static JsonNode awaitDelivery(TestServer server, String channels, long channel, String status)
            throws Exception {
        JsonNode[] last = new JsonNode[1];
        await(() -> {
            try {
                last[0] = latestDelivery(server, channels, channel);
                return last[0] != null && last[0].get("status").asText().equals(status);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(40), () -> "channel " + channel + " never got to " + status + "; last: " + last[0]);
        return last[0];
    }

    private static void await(Supplier<Boolean> condition, Duration limit, Supplier<String> failure) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            LockSupport.parkNanos(100_000_000);
        }
    }

    private static String hmac(String secret, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }
}
