package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notification pages as a browser without JavaScript uses them, against a real server with the bundled webhook
 * plugin and a local receiver: a maintainer adds a webhook through the form and sees its secret once, sends a test and
 * reads the answer, watches the delivery log; an admin retries and drops dead letters; a person sets their address
 * and subscribes; others are kept out.
 */
class NotificationPagesIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    @RegisterExtension
    final WebhookReceiver receiver = new WebhookReceiver();

    private TestServer server() {
        return new TestServer(temp.resolve("home"), Map.of(
                "outbound.allowed.networks", "127.0.0.0/8",
                "notifications.retry.first", "1",
                "notifications.attempts", "1",
                "notifications.timeout", "5",
                "ratelimit.enabled", "false"));
    }

    @Test
    void maintainersAddAWebhookSeeItsSecretOnceSendATestAndReadTheDeliveryLog() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = server().start()) {
            repo.commitMessage("notify pages");
            long project = BuildSystemIT.createProject(server, repo, "Pages");
            String base = "/projects/" + project + "/notifications";
            var maintainer = newUser(server, "maia");
            server.json("PUT", "/api/v1/projects/" + project + "/members",
                    Map.of("username", "maia", "role", "maintainer"), 200);

            // with several notifiers installed (email and webhook) the page offers a choice first
            var choice = maintainer.get(base);
            assertThat(choice.statusCode()).isEqualTo(200);
            assertThat(choice.body()).contains("value=\"webhook\"").contains("value=\"email\"");
            var list = maintainer.get(base + "?notifier=webhook");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("<input type=\"hidden\" name=\"notifier\" value=\"webhook\">")
                    .contains("name=\"setting.url\"").contains("name=\"setting.secret\" type=\"password\"");
            assertThat(checkedEvents(list.body())).as("the defaults, pre-checked").containsExactlyInAnyOrder(
                    "deployment.failed", "deployment.fixed", "certificate.renewal_failing", "certificate.expiring");

            // errors come back on the form, with what was typed
            var noEvents = maintainer.post(base, form("notifier", "webhook", "name", "Receiver",
                    "setting.url", receiver.url("/ok")));
            assertThat(noEvents.statusCode()).isEqualTo(400);
            assertThat(noEvents.body()).contains("Choose at least one event").contains("href=\"#field-events\"")
                    .contains("value=\"Receiver\"");
            var badUrl = maintainer.post(base, form("notifier", "webhook", "name", "Receiver",
                    "events", "deployment.failed", "setting.url", "ftp://example.test/x", "enabled", "true"));
            assertThat(badUrl.statusCode()).isEqualTo(400);
            assertThat(badUrl.body()).contains("id=\"field-setting.url-error\"")
                    .contains("value=\"ftp://example.test/x\"");
            assertThat(server.json("GET", "/api/v1" + base.replace("/notifications", "/notifications/channels"),
                    null, 200).get("items")).as("nothing was stored").isEmpty();

            // added: the generated signing secret is on this one answer
            var added = maintainer.post(base, form("notifier", "webhook", "name", "Receiver",
                    "events", "deployment.succeeded", "events", "deployment.failed", "setting.url", receiver.url("/ok"),
                    "setting.format", "miaobu", "enabled", "true"));
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(added.headers().firstValue("Cache-Control")).contains("no-store");
            String secret = firstMatch(added.body(), "id=\"new-secret-secret\"[^>]*value=\"([^\"]+)\"");
            assertThat(secret).hasSizeGreaterThan(40);
            var listed = maintainer.get(base);
            assertThat(listed.body()).contains("Receiver").doesNotContain(secret);
            long channel = Long.parseLong(firstMatch(listed.body(), "href=\"" + base + "/(\\d+)\""));
            var channelPage = maintainer.get(base + "/" + channel);
            assertThat(channelPage.statusCode()).isEqualTo(200);
            assertThat(channelPage.body()).doesNotContain(secret).contains("Nothing has been sent");

            // the test button: the receiver's answer as the next page's message, signed with the secret shown
            var test = maintainer.post(base + "/" + channel + "/test", form());
            assertThat(test.statusCode()).isEqualTo(303);
            assertThat(location(test)).isEqualTo(base);
            assertThat(flash(maintainer.get(base))).contains("delivered").contains("200");
            WebhookReceiver.Received testCall = receiver.last();
            assertThat(testCall.body()).contains("\"event\":\"test\"");
            assertThat(testCall.headers().get("x-miaobu-signature")).isEqualTo("v1="
                    + hmac(secret, testCall.headers().get("x-miaobu-timestamp") + "." + testCall.body()));
            var fromChannel = maintainer.post(base + "/" + channel + "/test", form("back", "channel"));
            assertThat(location(fromChannel)).isEqualTo(base + "/" + channel);

            // a deployment: its delivery in the channel's log
            server.awaitFinal(BuildSystemIT.deploy(server, project));
            await(() -> receiver.received().stream().anyMatch(r -> r.body().contains("\"event\":\"deployment.succeeded\"")),
                    () -> "no deployment.succeeded in " + receiver.received());
            await(() -> {
                try {
                    return maintainer.get(base + "/" + channel).body().contains("Delivered");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "the log never showed the delivery");
            assertThat(maintainer.get(base + "/" + channel).body()).contains("Pages: deployment #")
                    .contains("200 OK");

            // changed through its form: the secret left blank is kept
            var renamed = maintainer.post(base + "/" + channel, form("name", "Renamed", "events",
                    "deployment.failed", "setting.url", receiver.url("/ok"), "setting.format", "miaobu", "setting.secret", "",
                    "enabled", "true"));
            assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(303);
            JsonNode stored = server.json("GET", "/api/v1/projects/" + project + "/notifications/channels/"
                    + channel, null, 200);
            assertThat(stored.get("name").asText()).isEqualTo("Renamed");
            assertThat(stored.get("events")).extracting(JsonNode::asText).containsExactly("deployment.failed");
            maintainer.post(base + "/" + channel + "/test", form());
            WebhookReceiver.Received again = receiver.last();
            assertThat(again.headers().get("x-miaobu-signature")).isEqualTo("v1="
                    + hmac(secret, again.headers().get("x-miaobu-timestamp") + "." + again.body()));

            var disabled = maintainer.post(base + "/" + channel + "/disable", form());
            assertThat(location(disabled)).isEqualTo(base);
            var afterDisabling = maintainer.get(base);
            assertThat(flash(afterDisabling)).isEqualTo("Disabled Renamed.");
            assertThat(afterDisabling.body()).contains("action=\"" + base + "/" + channel + "/enable\"");
            assertThat(server.json("GET", "/api/v1/projects/" + project + "/notifications/channels/" + channel,
                    null, 200).get("enabled").asBoolean()).isFalse();

            // a viewer sees the channels and nothing to press
            var viewer = newUser(server, "vera");
            server.json("PUT", "/api/v1/projects/" + project + "/members",
                    Map.of("username", "vera", "role", "viewer"), 200);
            var seen = viewer.get(base);
            assertThat(seen.statusCode()).isEqualTo(200);
            assertThat(seen.body()).contains("Renamed").doesNotContain("action=\"" + base)
                    .doesNotContain("Send test");
            assertThat(viewer.get(base + "/" + channel).body()).doesNotContain("action=\"" + base)
                    .contains("Pages: deployment #");
            assertThat(viewer.post(base + "/" + channel + "/delete", form()).statusCode()).isEqualTo(403);
            var stranger = newUser(server, "stan");
            assertThat(stranger.get(base).statusCode()).isEqualTo(404);

            var deleted = maintainer.post(base + "/" + channel + "/delete", form());
            assertThat(flash(maintainer.get(location(deleted)))).contains("Deleted Renamed");
            assertThat(maintainer.get(base + "/" + channel).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void adminsRetryAndDropDeadLettersAndEveryoneElseIsKeptOut() throws Exception {
        receiver.answer("/down", 503);
        receiver.answer("/gone", 503);
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = server().start()) {
            repo.commitMessage("dead letters");
            long project = BuildSystemIT.createProject(server, repo, "Letters");
            String channels = "/api/v1/projects/" + project + "/notifications/channels";
            for (String path : List.of("/down", "/gone")) {
                server.json("POST", channels, Map.of("notifier", "webhook", "name", "Hook " + path,
                        "events", List.of("deployment.succeeded"), "settings", Map.of("url", receiver.url(path))), 201);
            }
            server.awaitFinal(BuildSystemIT.deploy(server, project));
            JsonNode[] dead = new JsonNode[1];
            await(() -> {
                try {
                    dead[0] = server.json("GET", "/api/v1/admin/notifications/deliveries", null, 200).get("items");
                    return dead[0].size() == 2;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, () -> "dead letters: " + dead[0]);
            long down = deliveryTo(dead[0], "/down", server, channels);
            long gone = deliveryTo(dead[0], "/gone", server, channels);

            var admin = new Browser(server);
            admin.signIn(TestServer.ADMIN, TestServer.PASSWORD);
            var page = admin.get("/admin/notifications");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("Letters: deployment #").contains("HTTP 503")
                    .contains("action=\"/admin/notifications/deliveries/" + down + "/retry\"")
                    .contains("action=\"/admin/notifications/deliveries/" + gone + "/drop\"")
                    .contains("href=\"/admin/notifications/deliveries/" + down + "\"");
            var detail = admin.get("/admin/notifications/deliveries/" + down);
            assertThat(detail.statusCode()).isEqualTo(200);
            assertThat(detail.body()).contains("Hook /down").contains("down for maintenance").contains("503");

            receiver.answer("/down", 200);
            var retried = admin.post("/admin/notifications/deliveries/" + down + "/retry", form("back", "delivery"));
            assertThat(location(retried)).isEqualTo("/admin/notifications/deliveries/" + down);
            assertThat(flash(admin.get(location(retried)))).contains("tried again");
            await(() -> status(server, down).equals("DELIVERED"), () -> "retried delivery " + down);
            var dropped = admin.post("/admin/notifications/deliveries/" + gone + "/drop", form());
            assertThat(location(dropped)).isEqualTo("/admin/notifications");
            assertThat(flash(admin.get("/admin/notifications"))).contains("dropped");
            assertThat(status(server, gone)).isEqualTo("DROPPED");
            var twice = admin.post("/admin/notifications/deliveries/" + gone + "/drop", form());
            assertThat(flash(admin.get(location(twice)))).contains("only a dead letter can be dropped");
            assertThat(admin.get("/admin/notifications").body()).contains("No failed deliveries");

            // a server channel, added and tested from the admin page
            var added = admin.post("/admin/notifications", form("notifier", "webhook", "name", "Ops",
                    "events", "plugin.failed", "setting.url", receiver.url("/ops"), "setting.format", "slack",
                    "enabled", "true"));
            assertThat(added.statusCode()).as(added.body()).isIn(201, 303);
            long serverChannel = server.json("GET", "/api/v1/admin/notifications/channels", null, 200)
                    .at("/items/0/id").asLong();
            admin.post("/admin/notifications/" + serverChannel + "/test", form());
            assertThat(flash(admin.get("/admin/notifications"))).contains("Test of Ops delivered");
            assertThat(receiver.last().path()).isEqualTo("/ops");

            // the settings page's test button of a notifier that does not address people says so
            var notifierTest = admin.post("/admin/extensions/Notifier/webhook/test", form());
            assertThat(location(notifierTest)).isEqualTo("/admin/extensions/Notifier/webhook/settings");
            assertThat(flash(admin.get(location(notifierTest)))).contains("Test not sent")
                    .contains("from one of its channels");

            var plain = newUser(server, "pat");
            assertThat(plain.get("/admin/notifications").statusCode()).isEqualTo(403);
            assertThat(plain.get("/admin/notifications/deliveries/" + down).statusCode()).isEqualTo(403);
            assertThat(plain.post("/admin/notifications/deliveries/" + down + "/retry", form()).statusCode())
                    .isEqualTo(403);
            assertThat(plain.get("/admin/notifications/" + serverChannel).statusCode()).isEqualTo(403);
            assertThat(plain.get("/projects/" + project + "/notifications").statusCode()).isEqualTo(404);
            assertThat(plain.get("/account/notifications/" + serverChannel).statusCode())
                    .as("a channel that is not theirs").isEqualTo(404);
        }
    }

    @Test
    void peopleSetTheirAddressAndSubscribeOnTheirOwnPage() throws Exception {
        try (var server = server().start()) {
            var ada = newUser(server, "ada");
            var page = ada.get("/account/notifications");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("nothing is sent to you by email")
                    .contains("Deployment failed").contains("Certificate expiring");
            assertThat(ada.get("/account").body()).contains("href=\"/account/notifications\"");

            var bad = ada.post("/account/notifications/email", form("email", "not an address"));
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("This is not an email address").contains("value=\"not an address\"");
            var set = ada.post("/account/notifications/email", form("email", "ada@example.test"));
            assertThat(location(set)).isEqualTo("/account/notifications");
            assertThat(flash(ada.get("/account/notifications"))).contains("ada@example.test");

            var added = ada.post("/account/notifications", form("notifier", "webhook", "name", "Mine",
                    "events", "deployment.failed", "setting.url", receiver.url("/mine"), "enabled", "true"));
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(added.body()).contains("id=\"new-secret-secret\"");
            long channel = Long.parseLong(firstMatch(ada.get("/account/notifications").body(),
                    "href=\"/account/notifications/(\\d+)\""));
            var test = ada.post("/account/notifications/" + channel + "/test", form("back", "channel"));
            assertThat(location(test)).isEqualTo("/account/notifications/" + channel);
            assertThat(flash(ada.get(location(test)))).contains("Test of Mine delivered");
            assertThat(receiver.last().path()).isEqualTo("/mine");

            var other = newUser(server, "bob");
            assertThat(other.get("/account/notifications/" + channel).statusCode()).isEqualTo(404);
            assertThat(other.post("/account/notifications/" + channel + "/delete", form()).statusCode())
                    .isEqualTo(404);
            assertThat(ada.get("/account/notifications/" + channel).statusCode()).isEqualTo(200);
        }
    }

    private static long deliveryTo(JsonNode deadLetters, String path, TestServer server, String channels)
            throws Exception {
        for (JsonNode channel : server.json("GET", channels, null, 200).get("items")) {
            if (channel.get("name").asText().equals("Hook " + path)) {
                for (JsonNode delivery : deadLetters) {
                    if (delivery.get("channelId").asLong() == channel.get("id").asLong()) {
                        return delivery.get("id").asLong();
                    }
                }
            }
        }
        throw new AssertionError("no dead letter to " + path + " in " + deadLetters);
    }

    private static String status(TestServer server, long delivery) {
        try {
            return server.json("GET", "/api/v1/admin/notifications/deliveries/" + delivery, null, 200)
                    .at("/delivery/status").asText();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A user made by the admin through the API, signed in through the pages. */
    private static Browser newUser(TestServer server, String username) throws Exception {
        server.json("POST", "/api/v1/admin/users", Map.of("username", username, "password", PASSWORD,
                "role", "user"), 201);
        var browser = new Browser(server);
        browser.signIn(username, PASSWORD);
        return browser;
    }

    /** A browser without JavaScript: keeps cookies, sends the anti-CSRF token of the last page with its forms. */
    static final class Browser {

        private final TestServer server;
        private final HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        private String csrf;

        Browser(TestServer server) {
            this.server = server;
        }

        void signIn(String username, String password) throws Exception {
            var response = post("/login", form("username", username, "password", password));
            assertThat(response.statusCode()).as("sign-in of %s", username).isEqualTo(303);
            get("/");
            assertThat(csrf).isNotBlank();
        }

        HttpResponse<String> get(String path) throws Exception {
            var response = client.send(HttpRequest.newBuilder(server.uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher token = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(response.body());
            if (token.find()) {
                csrf = token.group(1);
            }
            return response;
        }

        HttpResponse<String> post(String path, List<String[]> fields) throws Exception {
            var all = new ArrayList<>(fields);
            if (csrf != null) {
                all.add(new String[] {"csrf", csrf});
            }
            String body = all.stream().map(f -> URLEncoder.encode(f[0], StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(f[1], StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
            var response = client.send(HttpRequest.newBuilder(server.uri(path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher token = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(response.body());
            if (token.find()) {
                csrf = token.group(1);
            }
            return response;
        }
    }

    /** Form fields in order; a name may repeat (the event checkboxes). */
    private static List<String[]> form(String... namesAndValues) {
        var fields = new ArrayList<String[]>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.add(new String[] {namesAndValues[i], namesAndValues[i + 1]});
        }
        return fields;
    }

    private static List<String> checkedEvents(String html) {
        Matcher matcher = Pattern.compile("name=\"events\" type=\"checkbox\" value=\"([^\"]+)\" checked").matcher(html);
        var events = new ArrayList<String>();
        while (matcher.find()) {
            events.add(matcher.group(1));
        }
        return events;
    }

    private static String flash(HttpResponse<String> page) {
        return firstMatch(page.body(), "<div class=\"flash\" role=\"status\"><div class=\"container\">([^<]*)</div>");
    }

    private static String location(HttpResponse<String> response) {
        java.net.URI uri = java.net.URI.create(response.headers().firstValue("Location").orElseThrow(
                () -> new AssertionError("no redirect: " + response.statusCode() + " " + response.body())));
        return uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    }

    private static String firstMatch(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in page", regex).isTrue();
        return matcher.group(1);
    }

    private static void await(Supplier<Boolean> condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            LockSupport.parkNanos(200_000_000);
        }
    }

    private static String hmac(String secret, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }
}
