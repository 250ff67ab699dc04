package io.miaobu.themes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Realistic page models with exactly the names the server supplies. Hostile text sits in every field a user or a
 * repository controls, so each render doubles as an escaping check. Ids are above 999 so a locale number format
 * ("1,042") would show up in the URLs.
 */
final class SampleModels {

    static final String XSS = "<script>alert(1)</script>";
    static final String ATTR_XSS = "\" onmouseover=\"alert(1)";
    static final String CSRF = "csrf-token-123";
    static final long PROJECT_ID = 1042;
    static final String SLUG = "shop";
    static final List<String> STATUSES =
            List.of("QUEUED", "CLONING", "BUILDING", "UPLOADING", "LIVE", "FAILED", "CANCELLED");
    static final List<String> PLUGIN_STATES =
            List.of("CREATED", "DISABLED", "RESOLVED", "STARTED", "STOPPED", "FAILED", "UNLOADED");

    private SampleModels() {
    }

    /** A hash that, unlike Map.of, keeps null values: null is how the server says "absent". */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static Map<String, Object> common(boolean signedIn, boolean admin, boolean withCsrf, boolean withFlash) {
        Map<String, Object> model = map("app", map("version", "0.1.0", "sitesDomain", "sites.example.test"));
        if (signedIn) {
            model.put("currentUser", map("username", "ada" + XSS, "admin", admin));
        }
        if (withCsrf) {
            model.put("csrfToken", CSRF);
        }
        if (withFlash) {
            model.put("flash", "Saved " + XSS);
        }
        return model;
    }

    static Map<String, Object> signedIn() {
        return common(true, true, true, true);
    }

    static Map<String, Object> with(Map<String, Object> base, Object... keysAndValues) {
        Map<String, Object> model = new LinkedHashMap<>(base);
        model.putAll(map(keysAndValues));
        return model;
    }

    static Map<String, Object> setup(Map<String, String> errors) {
        return with(common(false, false, true, false),
                "errors", errors, "form", map("username", "admin" + ATTR_XSS), "tokenPath", "/var/lib/miaobu/setup-token" + XSS);
    }

    static Map<String, Object> login(Map<String, String> errors, String next) {
        return with(common(false, false, true, false),
                "errors", errors, "form", map("username", "ada" + ATTR_XSS), "next", next);
    }

    static Map<String, Object> dashboard(boolean empty) {
        List<Object> projects = new ArrayList<>();
        if (!empty) {
            projects.add(map("id", PROJECT_ID, "name", "Shop " + XSS, "slug", SLUG,
                    "siteUrl", "https://shop.sites.example.test/", "repositoryUrl", "https://git.example.test/team/shop.git",
                    "branch", "main" + XSS,
                    "live", map("id", 5001L, "commitShort", "a1b2c3d", "finishedAt", "3 minutes ago",
                            "finishedAtIso", "2026-01-02T03:04:05Z"),
                    "lastBuild", map("id", 5002L, "status", "BUILDING", "createdAt", "1 minute ago",
                            "createdAtIso", "2026-01-02T03:06:05Z")));
            projects.add(map("id", 1043L, "name", "Docs", "slug", "docs", "siteUrl", "https://docs.sites.example.test/",
                    "repositoryUrl", "/srv/git/docs", "branch", "trunk", "live", null, "lastBuild", null));
        }
        return with(signedIn(), "projects", projects);
    }

    static Map<String, Object> projectNew(Map<String, String> errors) {
        return with(signedIn(), "errors", errors, "form", map("name", "Shop" + ATTR_XSS, "repositoryUrl", "",
                "branch", "main", "rootDirectory", "", "installCommand", "", "buildCommand", "",
                "outputDirectory", "", "spa", true));
    }

    static Map<String, Object> project(Object liveDeploymentId) {
        return map("id", PROJECT_ID, "name", "Shop " + XSS, "slug", SLUG, "siteUrl", "https://shop.sites.example.test/",
                "repositoryUrl", "https://git.example.test/team/shop.git", "branch", "main" + XSS, "spa", false,
                "liveDeploymentId", liveDeploymentId);
    }

    static Map<String, Object> deploymentRow(long id, String status, boolean live, boolean canActivate, boolean canCancel) {
        return map("id", id, "status", status, "commitShort", "c" + id, "commitTitle", "Fix " + XSS,
                "author", "Grace " + XSS, "branch", "main" + XSS, "trigger", "push", "createdAt", "5 minutes ago",
                "createdAtIso", "2026-01-02T03:00:00Z", "duration", live || canActivate ? "42 s" : "",
                "live", live, "canActivate", canActivate, "canCancel", canCancel);
    }

    /** Newest first: one building (cancellable), the live one, an older one that can be rolled back to. */
    static Map<String, Object> projectPage(boolean empty) {
        List<Object> deployments = empty ? List.of() : List.of(
                deploymentRow(5003, "BUILDING", false, false, true),
                deploymentRow(5002, "LIVE", true, false, false),
                deploymentRow(5001, "LIVE", false, true, false),
                deploymentRow(5000, "FAILED", false, false, false));
        return with(signedIn(), "project", project(empty ? null : 5002L), "deployments", deployments);
    }

    static Map<String, Object> deploymentPage(boolean finished) {
        List<Object> timeline = new ArrayList<>();
        List<String> steps = finished ? STATUSES : STATUSES.subList(0, 3);
        for (int i = 0; i < steps.size(); i++) {
            timeline.add(map("status", steps.get(i), "at", "03:0" + i, "atIso", "2026-01-02T03:0" + i + ":00Z"));
        }
        Map<String, Object> deployment = map("id", 5003L, "status", finished ? "FAILED" : "BUILDING",
                "finished", finished, "commitSha", "c5003aaaabbbbccccddddeeeeffff000011112222",
                "commitShort", "c5003", "commitTitle", "Fix " + XSS, "author", "Grace " + XSS, "branch", "main" + XSS,
                "trigger", "manual", "error", finished ? "npm exited with 1 " + XSS : "",
                "createdAt", "5 minutes ago", "createdAtIso", "2026-01-02T03:00:00Z", "duration", finished ? "42 s" : "",
                "live", false, "canActivate", false, "canCancel", !finished, "timeline", timeline);
        return with(signedIn(), "project", project(5002L), "deployment", deployment,
                "log", "$ npm ci\n" + XSS + "\n</pre><script>alert(2)</script>", "streamUrl", "/deployments/5003/log/stream");
    }

    static Map<String, Object> settings(boolean withDetected, Map<String, String> errors) {
        Map<String, Object> detected = withDetected
                ? map("framework", "Vite", "packageManager", "pnpm", "installCommand", "pnpm install --frozen-lockfile",
                        "buildCommand", "pnpm run build", "outputDirectory", "dist")
                : null;
        return with(signedIn(), "project", project(5002L), "errors", errors, "detected", detected,
                "form", map("name", "Shop " + XSS, "branch", "main" + ATTR_XSS, "rootDirectory", "", "installCommand", "",
                        "buildCommand", "", "outputDirectory", "", "spa", false));
    }

    static Map<String, Object> plugins(boolean empty) {
        List<Object> plugins = new ArrayList<>();
        if (!empty) {
            for (String state : PLUGIN_STATES) {
                plugins.add(map("id", "git-" + state.toLowerCase(), "version", "1.0.0", "state", state,
                        "provider", "Miaobu " + XSS, "description", "Generic git " + XSS, "license", "MIT",
                        "error", state.equals("FAILED") ? "Boom " + XSS : "",
                        "extensions", List.of(map("point", "SourceProvider", "id", "git", "name", "Git " + XSS))));
            }
            plugins.add(map("id", "odd", "version", "0.1", "state", "SOMETHING_NEW", "provider", "", "description", "",
                    "license", "", "error", "", "extensions", List.of()));
        }
        return with(common(true, true, true, false), "plugins", plugins);
    }

    static Map<String, Object> error(Object status, String message, boolean signedIn) {
        Map<String, Object> model = signedIn ? signedIn() : map();
        if (!signedIn) {
            model.put("app", map("version", "0.1.0", "sitesDomain", "sites.example.test"));
        }
        model.put("status", status);
        model.put("message", message);
        return model;
    }

    static Map<String, String> errors(String... fieldsAndMessages) {
        Map<String, String> errors = new LinkedHashMap<>();
        List<String> list = Arrays.asList(fieldsAndMessages);
        for (int i = 0; i < list.size(); i += 2) {
            errors.put(list.get(i), list.get(i + 1));
        }
        return errors;
    }
}
