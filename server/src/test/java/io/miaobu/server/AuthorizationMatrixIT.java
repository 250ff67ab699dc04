package io.miaobu.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.miaobu.server.auth.Permission;
import io.miaobu.server.auth.ProjectRole;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Walks every page and API route of a running server — found in Jersey's resource model, so a new route cannot escape
 * — as anonymous, a plain user, a viewer, a maintainer and an owner of project P, the owner of another project Q, and
 * an admin, and checks each answer against the permission the route declares. The expected outcome is worked out here
 * from the rules, not from the server's code.
 */
class AuthorizationMatrixIT {

    private static final String PASSWORD = "correct horse battery";

    @TempDir
    Path temp;

    /** Who calls, and the role each has in project P. */
    enum Persona {
        ANONYMOUS(false, null),
        PLAIN_USER(false, null),
        VIEWER(false, ProjectRole.VIEWER),
        MAINTAINER(false, ProjectRole.MAINTAINER),
        OWNER(false, ProjectRole.OWNER),
        OTHER_PROJECT_OWNER(false, null),
        ADMIN(true, null);

        final boolean admin;
        final ProjectRole roleInP;

        Persona(boolean admin, ProjectRole roleInP) {
            this.admin = admin;
            this.roleInP = roleInP;
        }
    }

    enum Outcome { ALLOWED, SIGN_IN_FIRST, FORBIDDEN, NOT_FOUND }

    /** The rules: default deny; admins may do anything; project roles viewer < maintainer < owner. */
    static Outcome expected(Permission permission, Persona persona) {
        if (permission == Permission.PUBLIC) {
            return Outcome.ALLOWED;
        }
        if (persona == Persona.ANONYMOUS) {
            return Outcome.SIGN_IN_FIRST;
        }
        if (persona.admin || permission == Permission.SIGNED_IN) {
            return Outcome.ALLOWED;
        }
        if (permission == Permission.ADMIN) {
            return Outcome.FORBIDDEN;
        }
        if (persona.roleInP == null) {
            return Outcome.NOT_FOUND; // a stranger is not told the project exists
        }
        ProjectRole needed = switch (permission) {
            case PROJECT_VIEW -> ProjectRole.VIEWER;
            case PROJECT_DEPLOY, PROJECT_CONFIGURE -> ProjectRole.MAINTAINER;
            case PROJECT_OWN -> ProjectRole.OWNER;
            default -> throw new IllegalStateException("unexpected " + permission);
        };
        return persona.roleInP.compareTo(needed) >= 0 ? Outcome.ALLOWED : Outcome.FORBIDDEN;
    }

    @Test
    void everyRouteAnswersEveryPersonaAsItsDeclaredPermissionSays() throws Exception {
        try (var repo = new SiteRepository(temp.resolve("repo"));
             var server = new TestServer(temp.resolve("home"), Map.of("ratelimit.enabled", "false")).start()) {
            repo.commitMessage("matrix");
            List<Routes.Route> routes = Routes.of(server.server().webApplication());

            assertThat(routes).as("routes found in the resource model").hasSizeGreaterThan(60);
            assertThat(routes.stream().filter(r -> r.permission() == null).toList())
                    .as("routes that declare no permission").isEmpty();

            // fixtures: P (with a finished deployment) and Q, users in every role
            long p = server.json("POST", "/api/v1/projects", Map.of("name", "Project P",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long q = server.json("POST", "/api/v1/projects", Map.of("name", "Project Q",
                    "repositoryUrl", repo.directory().toString(), "branch", "main"), 201).get("id").asLong();
            long d = server.json("POST", "/api/v1/projects/" + p + "/deployments", Map.of(), 201).get("id").asLong();
            assertThat(server.awaitFinal(d).get("status").asText()).isEqualTo("LIVE");
            var ids = new HashMap<String, Long>();
            for (String name : List.of("plain", "viewer", "maintainer", "owner", "otherowner", "victim")) {
                ids.put(name, server.json("POST", "/api/v1/admin/users", Map.of("username", name,
                        "password", PASSWORD, "role", "user"), 201).get("id").asLong());
            }
            server.json("PUT", "/api/v1/projects/" + p + "/members", Map.of("username", "viewer", "role", "viewer"), 200);
            server.json("PUT", "/api/v1/projects/" + p + "/members",
                    Map.of("username", "maintainer", "role", "maintainer"), 200);
            server.json("PUT", "/api/v1/projects/" + p + "/members", Map.of("username", "owner", "role", "owner"), 200);
            server.json("PUT", "/api/v1/projects/" + q + "/members",
                    Map.of("username", "otherowner", "role", "owner"), 200);

            // every persona calls with an all-scope API token: no session of theirs can be ended by the routes walked
            var tokens = new EnumMap<Persona, String>(Persona.class);
            tokens.put(Persona.PLAIN_USER, apiToken(server, "plain"));
            tokens.put(Persona.VIEWER, apiToken(server, "viewer"));
            tokens.put(Persona.MAINTAINER, apiToken(server, "maintainer"));
            tokens.put(Persona.OWNER, apiToken(server, "owner"));
            tokens.put(Persona.OTHER_PROJECT_OWNER, apiToken(server, "otherowner"));
            tokens.put(Persona.ADMIN, apiToken(server, TestServer.ADMIN, TestServer.PASSWORD));

            // a channel of P, so the project's channel routes act on a real one (until a walked DELETE removes it);
            // the account's and the admins' channel routes answer 404 for it, as for any channel not theirs
            long channel = server.json("POST", "/api/v1/projects/" + p + "/notifications/channels", Map.of(
                    "notifier", "webhook", "name", "matrix", "events", List.of("deployment.failed"),
                    "settings", Map.of("url", "https://hooks.example.test/matrix")), 201).get("id").asLong();

            Map<String, String> parameters = Map.ofEntries(Map.entry("projectId", Long.toString(p)),
                    Map.entry("deploymentId", Long.toString(d)), Map.entry("userId", Long.toString(ids.get("victim"))),
                    Map.entry("sessionId", "no-such-session"), Map.entry("tokenId", "999999"),
                    Map.entry("name", "SOME_VAR"), Map.entry("point", "SourceProvider"), Map.entry("extensionId", "git"),
                    Map.entry("hash", "0"), Map.entry("path", "x.css"), Map.entry("channelId", Long.toString(channel)),
                    Map.entry("deliveryId", "999999"), Map.entry("notifierId", "webhook"),
                    Map.entry("providerId", "stand-in"), Map.entry("previewId", "999999"),
                    Map.entry("source", "git"), Map.entry("project", Long.toString(p)), Map.entry("sourceId", "git"),
                    Map.entry("webhookDeliveryId", "999999"), Map.entry("domainId", "999999"),
                    // no such plugin: an admin's enable, disable or uninstall answers 404 and changes nothing
                    Map.entry("pluginId", "no-such-plugin"));

            var failures = new ArrayList<String>();
            int calls = 0;
            for (Routes.Route route : routes) {
                for (Persona persona : Persona.values()) {
                    Outcome expected = expected(route.permission(), persona);
                    HttpResponse<String> response;
                    try {
                        response = call(server, route, route.path(parameters), tokens.get(persona));
                    } catch (java.io.IOException closedWhileReused) {
                        // a pooled connection the server had just closed: ask again on a fresh one
                        response = call(server, route, route.path(parameters), tokens.get(persona));
                    }
                    calls++;
                    String problem = check(route, expected, response);
                    if (problem != null) {
                        failures.add(route + " as " + persona + " (" + route.permission() + "): expected " + expected
                                + ", got " + response.statusCode() + " " + problem + " "
                                + abbreviate(response.body()));
                    }
                }
            }
            assertThat(failures).as("routes answering against their policy, of " + calls + " calls").isEmpty();
        }
    }

    /** Null when the answer matches the outcome; else what is wrong. */
    private static String check(Routes.Route route, Outcome expected, HttpResponse<String> response) {
        int status = response.statusCode();
        String location = response.headers().firstValue("Location").orElse("");
        boolean toSignIn = status == 303 && location.contains("/login");
        boolean hidden = status == 404 && (response.body().contains("No project ")
                || response.body().contains("No deployment "));
        return switch (expected) {
            case ALLOWED -> {
                if (route.permission() == Permission.PUBLIC) {
                    yield status == 403 ? "refused a public route" : null;
                }
                yield status == 401 || status == 403 || toSignIn || hidden ? "refused" : null;
            }
            case SIGN_IN_FIRST -> route.isApi() ? (status == 401 ? null : "not 401")
                    : (toSignIn ? null : "not sent to sign in");
            case FORBIDDEN -> status == 403 ? null : "not 403";
            case NOT_FOUND -> hidden ? null : "not a 404 hiding the project";
        };
    }

    private static HttpResponse<String> call(TestServer server, Routes.Route route, String path, String token)
            throws Exception {
        var request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (route.isEventStream()) {
            request.header("Accept", "text/event-stream");
        }
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        if (route.consumesForm()) {
            request.header("Content-Type", "application/x-www-form-urlencoded");
            body = HttpRequest.BodyPublishers.ofString("");
        } else if (route.consumesJson()) {
            request.header("Content-Type", "application/json");
            body = HttpRequest.BodyPublishers.ofString("{}");
        }
        request.method(route.httpMethod(), body);
        return server.send(request);
    }

    private static String apiToken(TestServer server, String username) throws Exception {
        return apiToken(server, username, PASSWORD);
    }

    private static String apiToken(TestServer server, String username, String password) throws Exception {
        var login = server.signIn(username, password);
        assertThat(login.statusCode()).as("sign-in of %s", username).isEqualTo(200);
        String access = TestServer.jsonMapper().readTree(login.body()).get("accessToken").asText();
        return server.jsonAs(access, "POST", "/api/v1/account/tokens", Map.of("name", "matrix",
                "scopes", List.of("read", "deploy", "admin")), 201).get("secret").asText();
    }

    private static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ");
        return flat.length() > 160 ? flat.substring(0, 160) + "…" : flat;
    }
}
