package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts script and attribute-breaking payloads into every field a user controls and the server stores and shows —
 * project name and build settings, the repository path, commit message and author, build output on stdout and stderr,
 * a deployment's error, a plain variable, plain extension settings (when an installed extension has any), attempted
 * usernames in the audit log, a session's user agent, notification channel names and what a webhook receiver
 * answered (a delivery's detail, next to an event summary that quotes the project name) — then walks every HTML page of
 * the server (found in Jersey's
 * resource model, so a new page is covered without anyone listing it) and checks that each payload comes back escaped
 * and never as markup. Fields that refuse such characters (branch, variable name, username, API token name) are checked
 * for the refusal, and so are the pages that echo the refused input back into their form.
 */
class XssIT {

    /** What FreeMarker's HTML output format makes of {@code <script>alert("x1")</script>}, spelled out once. */
    private static final String ESCAPED_SCRIPT_X1 = "&lt;script&gt;alert(&quot;x1&quot;)&lt;/script&gt;";

    /**
     * The beginnings of the markup the payloads would inject: none may appear in any page. The author payload has no
     * angle brackets (git drops them from names), so its attribute break is listed on its own.
     */
    private static final List<String> INJECTED_MARKUP = List.of("<script>alert(", "<img src=x onerror=",
            "<svg/onload=", "\" onmouseover=\"alert(");

    /** Answers other than 200 that a page route gives an admin on purpose. */
    private static final Map<String, String> DOCUMENTED_REDIRECTS = Map.of(
            "/login", "a signed-in user is sent on to the page they asked for",
            "/setup", "setup is over once an admin exists");

    @TempDir
    Path temp;

    static String script(String field) {
        return "<script>alert(\"" + field + "\")</script>";
    }

    static String attribute(String field) {
        return "\"><img src=x onerror=alert(" + field + ")>";
    }

    /** Both payloads of a field, as one value. */
    static String payloads(String field) {
        return script(field) + " " + attribute(field);
    }

    /** The HTML escaping of FreeMarker's {@code HTMLOutputFormat}. */
    static String escaped(String raw) {
        return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    @Test
    void payloadsInEveryUserControlledFieldComeBackEscapedOnEveryPage() throws Exception {
        // the repository's path on disk is shown as the project's repository: it carries payloads too (without
        // whitespace, which no repository address has)
        Path repoDirectory = temp.resolve("r" + script("repo") + "\"><svg/onload=alert(repo)>");
        String authorPayload = "Mallory\" onmouseover=\"alert(author)\" x=\"";
        String commitTitle = "Deploy " + payloads("msg");
        String projectName = "Site " + payloads("name");
        String variableValue = payloads("var");
        String userAgent = "Agent " + payloads("agent");
        String rootDirectory = attribute("root");
        // an identity provider's name (a plugin's text) and the login and name of the admin's account there
        String providerName = "Hub " + payloads("provider");
        String externalLogin = "octo" + payloads("extlogin");

        // a webhook receiver that refuses everything with a payload for an answer, which the delivery log quotes
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] answer = payloads("detail").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(500, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        receiver.start();
        String hook = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        try (var repo = new SiteRepository(repoDirectory);
             var oauth = new OAuthStandIn();
             var dns = new io.miaobu.server.domain.TestDnsServer();
             var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false",
                     "dns.resolvers", dns.address(),
                     "outbound.allowed.networks", "127.0.0.0/8", "notifications.attempts", "1",
                     "notifications.retry.first", "1"),
                     List.of(new StandInIdentityProvider("stand-in", providerName))).publicUrlOnLoopback().start()) {
            var json = TestServer.jsonMapper();
            repo.writeBuildScript("""
                    const fs = require('fs');
                    console.log('out: ' + %s);
                    console.error('err: ' + %s);
                    fs.mkdirSync('dist', { recursive: true });
                    fs.writeFileSync('dist/index.html', '<!doctype html><title>t</title><h1>fine</h1>\\n');
                    """.formatted(json.writeValueAsString(payloads("stdout")),
                    json.writeValueAsString(payloads("stderr"))));
            repo.write("message.txt", "fine\n");
            repo.commit(commitTitle + "\n\nBody " + payloads("body"), authorPayload);

            // the admin connects an account whose login carries payloads; the provider's name carries them too
            assertThat(server.api("PUT", "/api/v1/extensions/IdentityProvider/stand-in/settings",
                    Map.of("values", Map.of("base-url", oauth.baseUrl(), "client-id", OAuthStandIn.CLIENT_ID,
                            "client-secret", OAuthStandIn.CLIENT_SECRET))).statusCode()).isEqualTo(200);
            oauth.signIn(new OAuthStandIn.Person("4242", externalLogin, "Name " + payloads("extname"),
                    "octo@example.test"));
            var browser = new Browser();
            assertThat(browser.postForm(server.uri("/login"), "username=" + TestServer.ADMIN + "&password="
                    + URLEncoder.encode(TestServer.PASSWORD, StandardCharsets.UTF_8)).statusCode()).isEqualTo(303);
            var connectHops = browser.follow(browser.get(server.uri("/auth/stand-in/start?intent=link")));
            var afterConnecting = connectHops.get(connectHops.size() - 1);
            assertThat(afterConnecting.uri().getPath()).isEqualTo("/account");
            // and someone else's browser arrives at the callback with a state of its own: the refusal page
            var refusedCallback = new Browser().get(server.uri("/auth/stand-in/callback?code=c&state="
                    + URLEncoder.encode(payloads("state"), StandardCharsets.UTF_8)));

            // branch names are checked on create and on change
            var badBranch = server.api("POST", "/api/v1/projects", Map.of("name", "Branchy",
                    "repositoryUrl", repoDirectory.toString(), "branch", attribute("branch")));
            assertThat(badBranch.statusCode()).as(badBranch.body()).isEqualTo(400);
            assertThat(errorField(badBranch)).isEqualTo("branch");

            long projectId = server.json("POST", "/api/v1/projects", Map.of("name", projectName,
                    "repositoryUrl", repoDirectory.toString(), "branch", "main"), 201).get("id").asLong();
            // channels of all three scopes, named with payloads, to a receiver whose answers carry payloads too
            long projectChannel = server.json("POST", "/api/v1/projects/" + projectId + "/notifications/channels",
                    Map.of("notifier", "webhook", "name", payloads("channel"),
                            "events", List.of("deployment.succeeded", "deployment.failed"),
                            "settings", Map.of("url", hook)), 201).get("id").asLong();
            long serverChannel = server.json("POST", "/api/v1/admin/notifications/channels",
                    Map.of("notifier", "webhook", "name", payloads("serverchannel"),
                            "events", List.of("plugin.failed"), "settings", Map.of("url", hook)), 201)
                    .get("id").asLong();
            long ownChannel = server.json("POST", "/api/v1/account/notifications/channels",
                    Map.of("notifier", "webhook", "name", payloads("ownchannel"),
                            "events", List.of("deployment.failed"), "settings", Map.of("url", hook)), 201)
                    .get("id").asLong();

            var patchedBranch = server.api("PATCH", "/api/v1/projects/" + projectId,
                    Map.of("branch", script("branch")));
            assertThat(patchedBranch.statusCode()).as(patchedBranch.body()).isEqualTo(400);
            assertThat(errorField(patchedBranch)).isEqualTo("branch");

            long live = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201)
                    .get("id").asLong();
            JsonNode liveDeployment = server.awaitFinal(live);
            assertThat(liveDeployment.get("status").asText()).as("log: %s",
                    server.api("GET", "/api/v1/deployments/" + live + "/log", null).body()).isEqualTo("LIVE");
            assertThat(liveDeployment.get("commitAuthor").asText()).as("the author as git keeps it")
                    .isEqualTo(authorPayload);

            // build settings take any text; a root directory that is not there fails the next deployment with an
            // error that quotes it
            server.json("PATCH", "/api/v1/projects/" + projectId, Map.of("rootDirectory", rootDirectory,
                    "installCommand", payloads("install"), "buildCommand", payloads("build"),
                    "outputDirectory", payloads("output")), 200);
            long failed = server.json("POST", "/api/v1/projects/" + projectId + "/deployments", null, 201)
                    .get("id").asLong();
            JsonNode failedDeployment = server.awaitFinal(failed);
            assertThat(failedDeployment.get("status").asText()).isEqualTo("FAILED");
            assertThat(failedDeployment.get("error").asText()).contains(rootDirectory);

            // a branch preview of a branch whose name is markup (git allows it): listed on the project page
            String previewBranch = script("previewbranch");
            repo.checkout(previewBranch);
            repo.checkout("main");
            JsonNode preview = server.json("POST", "/api/v1/projects/" + projectId + "/previews",
                    Map.of("branch", previewBranch), 201);
            assertThat(preview.get("branch").asText()).isEqualTo(previewBranch);
            server.awaitFinal(preview.get("latestDeployment").get("id").asLong());

            // a webhook delivery whose event and delivery id are markup: refused (no webhook is set up), recorded,
            // and listed on the project's webhook page
            var markupDelivery = server.send(java.net.http.HttpRequest.newBuilder(
                            server.uri("/hooks/git/" + projectId))
                    .header("Content-Type", "application/json")
                    .header("X-GitHub-Event", script("hookevent"))
                    .header("X-GitHub-Delivery", payloads("hookdelivery"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")));
            assertThat(markupDelivery.statusCode()).as(markupDelivery.body()).isEqualTo(404);

            // a custom domain whose CNAME (from the outside world) points at a name with markup: the reason shows it
            var domain = server.json("POST", "/api/v1/projects/" + projectId + "/domains",
                    Map.of("domain", "xss.example.com"), 201);
            dns.txt("_miaobu-challenge.xss.example.com", domain.get("txtValue").asText())
                    .cname("xss.example.com", "<script>alert(dnsreason)</script>.evil.test");
            String domainReason = server.json("POST", "/api/v1/projects/" + projectId + "/domains/"
                    + domain.get("id").asLong() + "/check", null, 200).get("reason").asText();
            assertThat(domainReason).contains("<script>");
            // an uploaded certificate from a CA whose name carries markup: the certificate pages show the issuer
            var markupCa = io.miaobu.server.cert.TestCertificates.newAuthority(script("issuer"));
            var uploaded = markupCa.issue(List.of("xss.example.com"), java.time.Instant.now().minusSeconds(3600),
                    java.time.Instant.now().plus(java.time.Duration.ofDays(40)));
            server.json("PUT", "/api/v1/projects/" + projectId + "/domains/" + domain.get("id").asLong()
                    + "/certificate", Map.of("certificate", uploaded.chainPem(), "privateKey", uploaded.keyPem()), 200);

            server.json("PUT", "/api/v1/projects/" + projectId + "/variables/PLAIN_VAR",
                    Map.of("value", variableValue, "secret", false), 200);
            var badVariable = server.api("PUT", "/api/v1/projects/" + projectId + "/variables/"
                    + URLEncoder.encode(attribute("varname"), StandardCharsets.UTF_8).replace("+", "%20"),
                    Map.of("value", "x", "secret", false));
            assertThat(badVariable.statusCode()).as(badVariable.body()).isEqualTo(400);
            assertThat(errorField(badVariable)).isEqualTo("name");

            // plain (non-secret) text settings of every installed extension; the bundled plugins have none today
            var settingPages = new LinkedHashMap<String, List<String>>();
            for (JsonNode plugin : server.json("GET", "/api/v1/plugins", null, 200).get("items")) {
                for (JsonNode extension : plugin.get("extensions")) {
                    String api = "/api/v1/extensions/" + extension.get("point").asText() + "/"
                            + extension.get("id").asText() + "/settings";
                    var values = new LinkedHashMap<String, String>();
                    for (JsonNode field : server.json("GET", api, null, 200)) {
                        if (!field.get("secret").asBoolean()
                                && List.of("STRING", "TEXT").contains(field.get("type").asText())) {
                            values.put(field.get("name").asText(), payloads("setting-" + field.get("name").asText()));
                        }
                    }
                    if (!values.isEmpty() && server.api("PUT", api, Map.of("values", values)).statusCode() == 200) {
                        settingPages.put(api.replace("/api/v1/", "/admin/"), List.copyOf(values.values()));
                    }
                }
            }

            // a plugin's own texts, shown on the plugin manager page
            var plugin = server.send(HttpRequest.newBuilder(server.uri("/api/v1/plugins"))
                    .header("Authorization", "Bearer " + server.token())
                    .header("Content-Type", "application/zip")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(io.miaobu.server.plugin.TestPluginZip
                            .of("xss-texts", "1.0.0").descriptor("plugin.description", payloads("plugindescription"))
                            .descriptor("plugin.provider", payloads("pluginprovider"))
                            .descriptor("plugin.license", payloads("pluginlicense")).bytes())));
            assertThat(plugin.statusCode()).as(plugin.body()).isEqualTo(201);

            var badToken = server.api("POST", "/api/v1/account/tokens", Map.of("name", payloads("token"),
                    "scopes", List.of("read")));
            assertThat(badToken.statusCode()).as(badToken.body()).isEqualTo(400);
            assertThat(errorField(badToken)).isEqualTo("name");

            var badUser = server.api("POST", "/api/v1/admin/users", Map.of("username", script("username"),
                    "password", "a long enough password", "role", "user"));
            assertThat(badUser.statusCode()).as(badUser.body()).isEqualTo(400);
            assertThat(errorField(badUser)).isEqualTo("username");

            // the audit log keeps the username a failed sign-in tried
            for (String attempted : List.of(script("signin"), attribute("signin"))) {
                var refused = apiSignIn(server, attempted, "wrong password", "probe");
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
            }
            var signedIn = apiSignIn(server, TestServer.ADMIN, TestServer.PASSWORD, userAgent);
            assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(200);
            String token = json.readTree(signedIn.body()).get("accessToken").asText();
            long adminId = server.json("GET", "/api/v1/account", null, 200).get("id").asLong();

            // the deliveries of the project's channel failed once, for good: dead letters quoting the receiver
            long deadLetter = awaitDeadLetter(server, projectId, projectChannel);

            // every HTML page, as the admin whose session has the payload user agent; a channel's page in each scope
            // is walked with a channel of that scope
            Map<String, List<String>> parameters = Map.ofEntries(
                    Map.entry("projectId", List.of(Long.toString(projectId))),
                    Map.entry("deploymentId", List.of(Long.toString(live), Long.toString(failed))),
                    Map.entry("userId", List.of(Long.toString(adminId))),
                    Map.entry("point", List.of("SourceProvider", "Notifier")),
                    Map.entry("extensionId", List.of("git", "webhook")),
                    // a project's settings page for an extension it uses (git takes none: the page says so)
                    Map.entry("/projects/{projectId}/extensions/{point}/{extensionId} point",
                            List.of("SourceProvider")),
                    Map.entry("/projects/{projectId}/extensions/{point}/{extensionId} extensionId", List.of("git")),
                    Map.entry("channelId", List.of(Long.toString(projectChannel))),
                    Map.entry("/account/notifications/{channelId} channelId", List.of(Long.toString(ownChannel))),
                    Map.entry("/admin/notifications/{channelId} channelId", List.of(Long.toString(serverChannel))),
                    Map.entry("deliveryId", List.of(Long.toString(deadLetter))),
                    Map.entry("providerId", List.of("stand-in")),
                    Map.entry("sourceId", List.of("git")),
                    Map.entry("domainId", List.of(Long.toString(domain.get("id").asLong()))));
            List<Routes.Route> pages = Routes.of(server.server().webApplication()).stream()
                    .filter(r -> r.httpMethod().equals("GET") && r.producesHtml()).toList();
            assertThat(pages).as("HTML pages in the resource model").hasSizeGreaterThan(10);

            var bodies = new LinkedHashMap<String, String>();
            var failures = new ArrayList<String>();
            for (Routes.Route route : pages) {
                for (String path : paths(route, parameters)) {
                    if (path.contains("/SourceProvider/webhook/") || path.contains("/Notifier/git/")) {
                        continue; // no such extension: the pairs that exist are walked
                    }
                    if (path.startsWith("/auth/")) {
                        continue; // steps of the sign-in flow, not pages: walked above, their pages checked below
                    }
                    var response = get(server, path, token);
                    String redirectReason = DOCUMENTED_REDIRECTS.get(path);
                    if (redirectReason != null && response.statusCode() == 303) {
                        // seen signed out instead: the page itself
                        response = get(server, path, null);
                        if (response.statusCode() == 303) {
                            continue; // e.g. /setup once setup is over: there is no page to check
                        }
                    }
                    failures.addAll(checkPage(path, response));
                    bodies.put(path, response.body());
                }
            }

            for (String path : settingPages.keySet()) {
                var response = get(server, path, token);
                failures.addAll(checkPage(path, response));
                bodies.put(path, response.body());
            }

            // pages that echo refused input back into their forms, and the flash message from a cookie
            var echoes = new LinkedHashMap<String, HttpResponse<String>>();
            echoes.put("POST /projects (bad branch)", postForm(server, "/projects", token, Map.of("name",
                    payloads("formname"), "repositoryUrl", repoDirectory.toString(), "branch", payloads("formbranch"))));
            echoes.put("POST /projects/{id}/settings (bad branch)", postForm(server, "/projects/" + projectId
                    + "/settings", token, Map.of("name", payloads("settingsname"), "branch", payloads("settingsbranch"))));
            echoes.put("POST /projects/{id}/variables (bad name)", postForm(server, "/projects/" + projectId
                    + "/variables", token, Map.of("name", payloads("formvar"), "value", "x")));
            echoes.put("POST /projects/{id}/domains (bad domain)", postForm(server, "/projects/" + projectId
                    + "/domains", token, Map.of("domain", payloads("formdomain"))));
            echoes.put("POST /projects/{id}/members (bad username)", postForm(server, "/projects/" + projectId
                    + "/members", token, Map.of("username", payloads("member"), "role", "viewer")));
            echoes.put("POST /projects/{id}/notifications (no events)", postForm(server, "/projects/" + projectId
                    + "/notifications", token, Map.of("notifier", "webhook", "name", payloads("formchannel"),
                    "setting.url", "https://hooks.example.test/" + payloads("formurl"))));
            echoes.put("POST /admin/users (bad username)", postForm(server, "/admin/users", token, Map.of(
                    "username", payloads("formuser"), "password", "a long enough password", "role", "user")));
            echoes.put("POST /account/tokens (bad name)", postForm(server, "/account/tokens", token, Map.of(
                    "name", payloads("formtoken"), "scope", "read")));
            echoes.put("POST /login (wrong password)", postForm(server, "/login", null, Map.of(
                    "username", payloads("formlogin"), "password", "wrong password")));
            echoes.put("GET /login?next=", get(server, "/login?next=" + URLEncoder.encode("/" + payloads("next"),
                    StandardCharsets.UTF_8), null));
            echoes.put("GET /account after connecting", afterConnecting);
            echoes.put("GET /auth/{id}/callback (refused)", refusedCallback);
            echoes.put("GET /admin/audit?actor=", get(server, "/admin/audit?actor="
                    + URLEncoder.encode(payloads("filter"), StandardCharsets.UTF_8), token));
            echoes.put("GET / with a flash cookie", server.send(HttpRequest.newBuilder(server.uri("/"))
                    .header("Authorization", "Bearer " + token)
                    .header("Cookie", "miaobu_flash=" + URLEncoder.encode(payloads("flash"), StandardCharsets.UTF_8))
                    .GET()));
            // without '/': Jetty itself refuses an encoded slash in a path, before the application sees it
            echoes.put("GET a missing page", get(server, "/projects/" + projectId + "/"
                    + URLEncoder.encode(attribute("missing"), StandardCharsets.UTF_8).replace("+", "%20"), token));
            Map<String, String> echoed = Map.ofEntries(
                    Map.entry("POST /projects (bad branch)", payloads("formbranch")),
                    Map.entry("POST /projects/{id}/settings (bad branch)", payloads("settingsbranch")),
                    Map.entry("POST /projects/{id}/variables (bad name)", payloads("formvar")),
                    Map.entry("POST /projects/{id}/members (bad username)", payloads("member")),
                    Map.entry("POST /projects/{id}/domains (bad domain)", payloads("formdomain")),
                    Map.entry("POST /projects/{id}/notifications (no events)", payloads("formchannel")),
                    Map.entry("POST /admin/users (bad username)", payloads("formuser")),
                    Map.entry("POST /account/tokens (bad name)", payloads("formtoken")),
                    Map.entry("POST /login (wrong password)", payloads("formlogin")),
                    Map.entry("GET /login?next=", "/" + payloads("next")),
                    Map.entry("GET /admin/audit?actor=", payloads("filter")),
                    Map.entry("GET /account after connecting", externalLogin),
                    Map.entry("GET / with a flash cookie", payloads("flash")));
            echoes.forEach((name, response) -> {
                assertThat(response.statusCode()).as(name).isIn(200, 400, 401, 404);
                failures.addAll(checkPage(name, response));
                String expected = echoed.get(name);
                if (expected != null && !response.body().contains(escaped(expected))) {
                    failures.add(name + ": the refused input is not shown back escaped");
                }
            });
            assertThat(failures).as("pages with unescaped payloads or missing headers").isEmpty();
            assertThat(bodies.get("/projects/" + projectId)).as("the previews list")
                    .contains("previews-heading", escaped(previewBranch));

            // the stored payloads are on the pages that show them, escaped: they did not just go missing
            String project = "/projects/" + projectId;
            var expectations = new LinkedHashMap<String, List<String>>();
            expectations.put("/", List.of(projectName));
            expectations.put(project, List.of(projectName, commitTitle, authorPayload, repoDirectory.toString()));
            expectations.put(project + "/settings", List.of(projectName, rootDirectory, payloads("install"),
                    payloads("build"), payloads("output")));
            expectations.put(project + "/variables", List.of(projectName, variableValue));
            expectations.put(project + "/members", List.of(projectName));
            expectations.put(project + "/domains", List.of(projectName, domainReason));
            expectations.put(project + "/domains/" + domain.get("id").asLong() + "/certificate",
                    List.of(projectName, script("issuer")));
            expectations.put("/admin/certificates", List.of(script("issuer")));
            expectations.put(project + "/webhook", List.of(projectName, script("hookevent"),
                    payloads("hookdelivery")));
            expectations.put("/deployments/" + live, List.of(projectName, commitTitle, authorPayload,
                    "out: " + payloads("stdout"), "err: " + payloads("stderr"), repoDirectory.toString()));
            expectations.put("/deployments/" + failed, List.of(projectName, rootDirectory));
            String summary = projectName + ": deployment #";
            expectations.put(project + "/notifications", List.of(projectName, payloads("channel")));
            expectations.put(project + "/notifications/" + projectChannel, List.of(payloads("channel"), summary,
                    payloads("detail")));
            expectations.put("/account/notifications", List.of(payloads("ownchannel")));
            expectations.put("/account/notifications/" + ownChannel, List.of(payloads("ownchannel")));
            expectations.put("/admin/notifications", List.of(payloads("serverchannel"), payloads("channel"),
                    summary, payloads("detail")));
            expectations.put("/admin/notifications/" + serverChannel, List.of(payloads("serverchannel")));
            expectations.put("/admin/notifications/deliveries/" + deadLetter, List.of(payloads("channel"), summary,
                    payloads("detail")));
            expectations.put("/account", List.of(userAgent, externalLogin, providerName));
            expectations.put("/login", List.of(providerName));
            expectations.put("/admin/audit", List.of(script("signin"), attribute("signin")));
            expectations.put("/plugins", List.of(payloads("plugindescription"), payloads("pluginprovider"),
                    payloads("pluginlicense")));
            expectations.putAll(settingPages);
            var missing = new ArrayList<String>();
            expectations.forEach((path, values) -> {
                assertThat(bodies).as("pages crawled").containsKey(path);
                values.stream().filter(value -> !bodies.get(path).contains(escaped(value)))
                        .forEach(value -> missing.add(path + " lacks " + escaped(value)));
            });
            assertThat(missing).as("stored payloads shown escaped").isEmpty();
            assertThat(bodies.get(project)).as("the escaping itself")
                    .contains("Deploy " + ESCAPED_SCRIPT_X1.replace("x1", "msg"));

            // the API and the raw log are not HTML: payloads may be there as they are, under a type no browser sniffs
            var projectJson = server.send(HttpRequest.newBuilder(server.uri("/api/v1/projects/" + projectId))
                    .header("Authorization", "Bearer " + token).GET());
            assertThat(projectJson.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(projectJson.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(json.readTree(projectJson.body()).get("name").asText()).isEqualTo(projectName);
            var rawLog = server.send(HttpRequest.newBuilder(server.uri("/api/v1/deployments/" + live + "/log"))
                    .header("Authorization", "Bearer " + token).GET());
            assertThat(rawLog.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(rawLog.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            assertThat(rawLog.body()).contains("out: " + payloads("stdout"));
        } finally {
            receiver.stop(0);
        }
    }

    /** The dead letter of the channel's first delivery, once the dispatcher has given up on it. */
    private static long awaitDeadLetter(TestServer server, long projectId, long channel) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(40).toNanos();
        while (true) {
            for (JsonNode delivery : server.json("GET", "/api/v1/projects/" + projectId
                    + "/notifications/channels/" + channel + "/deliveries", null, 200).get("items")) {
                if (delivery.get("status").asText().equals("DEAD")) {
                    return delivery.get("id").asLong();
                }
            }
            assertThat(System.nanoTime()).as("a dead letter of channel %s in time", channel).isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000);
        }
    }

    /** What is wrong with a page: markup from a payload, a type other than HTML, a CSP that allows inline script. */
    private static List<String> checkPage(String name, HttpResponse<String> response) {
        var problems = new ArrayList<String>();
        if (response.statusCode() != 200 && !name.startsWith("POST ") && !name.startsWith("GET ")) {
            problems.add(name + ": status " + response.statusCode());
        }
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/html")) {
            problems.add(name + ": Content-Type " + type);
        }
        for (String markup : INJECTED_MARKUP) {
            int at = response.body().indexOf(markup);
            if (at >= 0) {
                problems.add(name + ": unescaped " + response.body().substring(Math.max(0, at - 60),
                        Math.min(response.body().length(), at + 60)).replaceAll("\\s+", " "));
            }
        }
        String csp = response.headers().firstValue("Content-Security-Policy").orElse("");
        String scriptSrc = java.util.Arrays.stream(csp.split(";")).map(String::strip)
                .filter(d -> d.startsWith("script-src ")).findFirst().orElse(null);
        if (scriptSrc == null || scriptSrc.contains("'unsafe-inline'")) {
            problems.add(name + ": CSP without a strict script-src: " + csp);
        }
        if (!"nosniff".equals(response.headers().firstValue("X-Content-Type-Options").orElse(""))) {
            problems.add(name + ": no X-Content-Type-Options: nosniff");
        }
        return problems;
    }

    /**
     * Every path of a route with each combination of the parameter values; a parameter without values fails. Values
     * under {@code "<path template> <parameter>"} are for that route only (a channel of the route's own scope).
     */
    private static List<String> paths(Routes.Route route, Map<String, List<String>> values) {
        List<Map<String, String>> combinations = List.of(Map.of());
        for (String parameter : route.parameters()) {
            List<String> choices = values.getOrDefault(route.pathTemplate() + " " + parameter,
                    values.get(parameter));
            assertThat(choices).as("a value for {%s} of %s: add it to this test", parameter, route).isNotNull();
            var next = new ArrayList<Map<String, String>>();
            for (Map<String, String> combination : combinations) {
                for (String choice : choices) {
                    var extended = new LinkedHashMap<>(combination);
                    extended.put(parameter, choice);
                    next.add(extended);
                }
            }
            combinations = next;
        }
        return combinations.stream().map(route::path).toList();
    }

    private static HttpResponse<String> get(TestServer server, String path, String token) throws Exception {
        var request = HttpRequest.newBuilder(server.uri(path)).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return server.send(request);
    }

    private static HttpResponse<String> postForm(TestServer server, String path, String token,
                                                 Map<String, String> fields) throws Exception {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        var request = HttpRequest.newBuilder(server.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return server.send(request);
    }

    private static HttpResponse<String> apiSignIn(TestServer server, String username, String password,
                                                  String userAgent) throws Exception {
        return server.send(HttpRequest.newBuilder(server.uri("/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .header("User-Agent", userAgent)
                .POST(HttpRequest.BodyPublishers.ofString(TestServer.jsonMapper().writeValueAsString(
                        Map.of("username", username, "password", password)))));
    }

    private static String errorField(HttpResponse<String> response) throws Exception {
        return TestServer.jsonMapper().readTree(response.body()).at("/error/field").asText();
    }
}
