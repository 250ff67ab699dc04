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
            List.of("QUEUED", "CLONING", "INSTALLING", "BUILDING", "UPLOADING", "LIVE", "FAILED", "CANCELLED", "PURGED");
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

    /** The project page with a pull request's preview (from a fork, live) and a branch's (building). */
    static Map<String, Object> projectPageWithPreviews() {
        List<Object> previews = List.of(
                map("id", 71L, "label", "42", "kind", "pull_request", "branch", "fix/" + XSS, "pullRequest", "#42",
                        "fromFork", true, "commitShort", "abc1234", "status", "LIVE", "deploymentId", 5010L,
                        "url", "https://42--shop.sites.example.test/"),
                map("id", 72L, "label", "feature-x", "kind", "branch", "branch", "feature-x" + XSS, "pullRequest", "",
                        "fromFork", false, "commitShort", "def5678", "status", "BUILDING", "deploymentId", 5011L,
                        "url", ""));
        return with(projectPage(false), "previews", previews);
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
                "live", false, "canActivate", false, "canCancel", !finished, "timeline", timeline,
                "pinned", false, "purged", false, "canPin", finished, "canUnpin", false);
        deployment.put("stages", stages(finished));
        return with(signedIn(), "project", project(5002L), "deployment", deployment,
                "log", "$ npm ci\n" + XSS + "\n</pre><script>alert(2)</script>", "streamUrl", "/deployments/5003/log/stream");
    }

    /** A deployment halfway through publishing (uploading) or published, with its upload numbers. */
    static Map<String, Object> uploadingDeploymentPage(boolean running) {
        Map<String, Object> model = deploymentPage(!running);
        @SuppressWarnings("unchecked")
        Map<String, Object> deployment = (Map<String, Object>) model.get("deployment");
        deployment.put("status", running ? "UPLOADING" : "LIVE");
        deployment.put("upload", map("running", running, "filesDone", running ? 120L : 300L, "filesTotal", 300L,
                "bytesDone", running ? 1_200_000L : 3_400_000L, "bytesTotal", 3_400_000L,
                "bytesDoneText", running ? "1.1 MB" : "3.2 MB", "bytesTotalText", "3.2 MB",
                "bytesUploadedText", running ? "" : "12.0 KB"));
        model.put("progressUrl", "/api/v1/deployments/5003");
        return model;
    }

    /** A deployment kept by a pin: it can be unpinned, and rolled back to. */
    static Map<String, Object> pinnedDeploymentPage() {
        Map<String, Object> model = deploymentPage(true);
        @SuppressWarnings("unchecked")
        Map<String, Object> deployment = (Map<String, Object>) model.get("deployment");
        deployment.putAll(map("status", "LIVE", "error", "", "pinned", true, "canPin", false, "canUnpin", true,
                "canActivate", true));
        return model;
    }

    /** A deployment the retention policy removed: no files, no log, nothing to do. */
    static Map<String, Object> purgedDeploymentPage() {
        Map<String, Object> model = deploymentPage(true);
        @SuppressWarnings("unchecked")
        Map<String, Object> deployment = (Map<String, Object>) model.get("deployment");
        deployment.putAll(map("status", "PURGED", "error", "", "purged", true, "canPin", false));
        model.put("log", "");
        return model;
    }

    /**
     * The disk page: every area with the cache's parts; {@code withDatabase} false is a PostgreSQL server. Paths and
     * directory names come from the server's disk, so they carry hostile text too.
     */
    static Map<String, Object> disk(boolean withDatabase) {
        List<Object> areas = new ArrayList<>(List.of(
                diskArea("sites", "/srv/miaobu/sites" + XSS, false, "1.2 GiB", 1_288_490_189L, 48_213),
                diskArea("logs", "/srv/miaobu/logs", false, "20.5 MiB", 21_495_808L, 1_204),
                diskArea("cache", "/srv/miaobu/cache", false, "812.0 MiB", 851_443_712L, 30_118),
                diskArea("build-home" + XSS, "/srv/miaobu/cache/build-home", true, "800.0 MiB", 838_860_800L, 30_100),
                diskArea("cds", "/srv/miaobu/cache/cds" + ATTR_XSS, true, "12.0 MiB", 12_582_912L, 18),
                diskArea("workspaces", "/srv/miaobu/workspaces", false, "0 B", 0L, 0)));
        if (withDatabase) {
            areas.add(diskArea("database", "/srv/miaobu/db/miaobu.mv.db", false, "4.0 MiB", 4_194_304L, 2));
        }
        return with(common(true, true, true, false), "areas", areas, "total", "2.0 GiB",
                "home", "/srv/miaobu" + XSS, "databaseMeasured", withDatabase,
                "volume", map("free", "61.3 GiB", "total", "100.0 GiB", "used", "38.7 GiB", "usedPercent", 39L,
                        "usedBytes", 41_553_821_286L, "totalBytes", 107_374_182_400L),
                "measuredAt", "2026-01-02 03:04:05 UTC", "measuredAtIso", "2026-01-02T03:04:05Z",
                "retention", map("deployments", 10, "logs", 50));
    }

    private static Map<String, Object> diskArea(String name, String path, boolean part, String bytes, long exactBytes,
                                                long files) {
        return map("name", name, "path", path, "part", part, "bytes", bytes, "exactBytes", exactBytes, "files", files);
    }

    /** As the server makes them: running, two stages done, building for 83 s, two ahead; finished, failed while building. */
    static List<Object> stages(boolean finished) {
        List<Object> stages = new ArrayList<>();
        stages.add(map("status", "QUEUED", "state", "done", "duration", "0.4 s", "elapsedMs", 0L));
        stages.add(map("status", "CLONING", "state", "done", "duration", "2.1 s", "elapsedMs", 0L));
        if (finished) {
            stages.add(map("status", "BUILDING", "state", "done", "duration", "39 s", "elapsedMs", 0L));
            stages.add(map("status", "FAILED", "state", "outcome", "duration", "", "elapsedMs", 0L));
        } else {
            stages.add(map("status", "BUILDING", "state", "current", "duration", "1 min 23 s", "elapsedMs", 83_456L));
            stages.add(map("status", "UPLOADING", "state", "pending", "duration", "", "elapsedMs", 0L));
            stages.add(map("status", "LIVE", "state", "pending", "duration", "", "elapsedMs", 0L));
        }
        return stages;
    }

    static Map<String, Object> settings(boolean withDetected, Map<String, String> errors) {
        Map<String, Object> detected = withDetected
                ? map("framework", "Vite", "packageManager", "pnpm", "installCommand", "pnpm install --frozen-lockfile",
                        "buildCommand", "pnpm run build", "outputDirectory", "dist")
                : null;
        return with(signedIn(), "project", project(5002L), "errors", errors, "detected", detected,
                "form", map("name", "Shop " + XSS, "branch", "main" + ATTR_XSS, "rootDirectory", "", "installCommand", "",
                        "buildCommand", "", "outputDirectory", "", "spa", false),
                "limits", map("maxConcurrentBuilds", "2" + ATTR_XSS, "retryInterrupted", true,
                        "timeoutCloneSeconds", "", "timeoutInstallSeconds", "600", "timeoutBuildSeconds", XSS,
                        "timeoutUploadSeconds", ""),
                "previewSettings", map("pullRequestPreviews", true, "branchPreviews", false, "forkPreviews", false),
                "extensionSettings", List.of(
                        map("point", "Builder", "id", "hugo", "name", "Hugo " + XSS,
                                "url", "/projects/" + PROJECT_ID + "/extensions/Builder/hugo", "fields", projectFields()),
                        map("point", "DeployTarget", "id", "oss", "name", "Object storage",
                                "url", "/projects/" + PROJECT_ID + "/extensions/DeployTarget/oss",
                                "fields", List.of(setting("bucket", "STRING", true, false, "site" + XSS, true,
                                        List.of())))));
    }

    /** A project's settings of an extension: plain ones, a stored secret and one not set. */
    static List<Object> projectFields() {
        return List.of(
                setting("environment", "CHOICE", true, false, "production", true,
                        List.of("production", "staging" + XSS)),
                setting("baseUrl", "URL", false, false, "https://example.test/" + ATTR_XSS, true, List.of()),
                setting("apiKey", "SECRET", true, true, SECRET_VALUE, true, List.of()),
                setting("signingKey", "SECRET", false, true, null, false, List.of()),
                setting("drafts", "BOOLEAN", false, false, "true", true, List.of()));
    }

    /** One extension's settings for a project. */
    static Map<String, Object> projectExtensionSettings(Map<String, String> errors) {
        return with(signedIn(), "project", project(5002L), "errors", errors, "fields", projectFields(),
                "extension", map("point", "Builder", "id", "hugo", "name", "Hugo " + XSS,
                        "url", "/projects/" + PROJECT_ID + "/extensions/Builder/hugo"));
    }

    static Map<String, Object> queue(boolean empty) {
        List<Object> entries = new ArrayList<>();
        if (!empty) {
            entries.add(map("id", 7001L, "projectId", PROJECT_ID, "project", SLUG + XSS, "status", "BUILDING",
                    "branch", "main" + ATTR_XSS, "trigger", "manual", "createdAt", "2026-11-26 10:00:00 UTC",
                    "createdAtIso", "2026-11-26T10:00:00Z", "position", 0, "node", "node-a" + XSS,
                    "heartbeatAgo", "3 s", "running", true));
            entries.add(map("id", 7002L, "projectId", PROJECT_ID, "project", SLUG, "status", "QUEUED",
                    "branch", "main", "trigger", "retry", "createdAt", "2026-11-26 10:00:05 UTC",
                    "createdAtIso", "2026-11-26T10:00:05Z", "position", 1, "node", null, "heartbeatAgo", null,
                    "running", false));
        }
        return with(common(true, true, true, false), "entries", entries);
    }

    static Map<String, Object> plugins(boolean empty) {
        return plugins(empty, Map.of());
    }

    /** The plugin manager page: one plugin per state, one with dependencies, dependents and projects. */
    static Map<String, Object> plugins(boolean empty, Map<String, String> errors) {
        List<Object> plugins = new ArrayList<>();
        if (!empty) {
            for (String state : PLUGIN_STATES) {
                plugins.add(map("id", "git-" + state.toLowerCase(), "version", "1.0.0", "state", state,
                        "enabled", !state.equals("DISABLED"), "provider", "Miaobu " + XSS,
                        "description", "Generic git " + XSS, "license", "MIT", "requires", ">=0.1.0",
                        "error", state.equals("FAILED") ? "Boom " + XSS : "",
                        "dependencies", List.of(), "dependents", List.of(), "projects", List.of(),
                        "extensions", List.of(map("point", "SourceProvider", "id", "git", "name", "Git " + XSS))));
            }
            plugins.add(map("id", "odd", "version", "0.1", "state", "SOMETHING_NEW", "enabled", true, "provider", "",
                    "description", "", "license", "", "requires", "*", "error", "", "extensions", List.of(),
                    "dependencies", List.of(map("id", "base" + XSS, "versions", ">=1.0.0 & <2.0.0", "optional", false),
                            map("id", "extra", "versions", "*", "optional", true)),
                    "dependents", List.of("child" + XSS),
                    "projects", List.of(map("id", 1042L, "slug", SLUG, "name", "Shop " + XSS,
                            "uses", "builder odd"))));
        }
        return with(common(true, true, true, false), "plugins", plugins, "errors", errors, "maxZipMiB", 100L,
                "updateSiteConfigured", !empty);
    }

    /** The update site's page: an installed plugin with an upgrade, a new one, a release that cannot run here. */
    static Map<String, Object> pluginUpdateSite(boolean configured, String problem) {
        List<Object> entries = List.of(
                map("id", "hello", "name", "Hello " + XSS, "description", "Says hello " + XSS, "provider",
                        "Example " + XSS, "license", "MIT", "installedVersion", "1.0.0", "newestVersion", "1.1.0",
                        "upgradable", true, "releases", List.of(
                                map("version", "2.0.0", "requires", ">=9.0.0", "dependencies", List.of(),
                                        "installable", false, "problem", "Needs Miaobu >=9.0.0 " + XSS),
                                map("version", "1.1.0", "requires", "*", "dependencies",
                                        List.of(map("id", "base", "versions", ">=1.0.0")), "installable", true,
                                        "problem", ""),
                                map("version", "1.0.0", "requires", "*", "dependencies", List.of(),
                                        "installable", true, "problem", ""))),
                map("id", "new" + ATTR_XSS, "name", "New", "description", "", "provider", "", "license", "",
                        "installedVersion", "", "newestVersion", "0.1.0", "upgradable", false, "releases", List.of(
                                map("version", "0.1.0", "requires", "*", "dependencies", List.of(),
                                        "installable", true, "problem", ""))));
        return with(common(true, true, true, false), "configured", configured, "problem", problem,
                "entries", configured && problem.isEmpty() ? entries : List.of(), "errors", Map.of());
    }

    /** Copies a project page's model and adds what the viewer may do there, as the server does once roles exist. */
    static Map<String, Object> withCan(Map<String, Object> model, boolean deploy, boolean configure, boolean own) {
        return with(model, "can", map("deploy", deploy, "configure", configure, "own", own));
    }

    static final String NEW_TOKEN = "mbt_AbCd1234_s3cr3tPartOfTheToken";

    /** The signed-in admin's own page: this session, two others (one with nothing known about it), three tokens. */
    static Map<String, Object> account(boolean withNewToken, Map<String, String> errors) {
        List<Object> sessions = List.of(
                map("id", "sess-current", "createdAt", "2 days ago", "lastUsedAt", "just now",
                        "lastUsedAtIso", "2026-01-02T03:04:05Z", "clientAddress", "203.0.113.7",
                        "userAgent", "Firefox " + XSS, "current", true),
                map("id", "sess-phone", "createdAt", "5 days ago", "lastUsedAt", "yesterday",
                        "lastUsedAtIso", "2026-01-01T09:00:00Z", "clientAddress", "198.51.100.2" + XSS,
                        "userAgent", "Safari " + ATTR_XSS, "current", false),
                map("id", "sess-unknown", "createdAt", "a week ago", "lastUsedAt", "3 days ago",
                        "lastUsedAtIso", "2025-12-30T09:00:00Z", "clientAddress", null, "userAgent", null,
                        "current", false));
        List<Object> tokens = List.of(
                map("id", 3001L, "name", "CI " + XSS, "prefix", "mbt_AbCd1234", "scopes", "read, deploy",
                        "createdAt", "today", "expiresAt", null, "lastUsedAt", null, "active", true, "revoked", false),
                map("id", 3002L, "name", "Old laptop " + ATTR_XSS, "prefix", "mbt_EfGh5678", "scopes", "read",
                        "createdAt", "last year", "expiresAt", "2026-06-01", "lastUsedAt", "last month",
                        "active", false, "revoked", true),
                map("id", 3003L, "name", "Expired " + XSS, "prefix", "mbt_IjKl9012", "scopes", "admin",
                        "createdAt", "last year", "expiresAt", "2025-12-01", "lastUsedAt", "2025-11-30",
                        "active", false, "revoked", false));
        Map<String, Object> model = with(signedIn(), "errors", errors, "form", map("name", "Deploy bot" + ATTR_XSS),
                "user", map("username", "ada" + XSS, "role", "admin", "createdAt", "2025-01-02"),
                "sessions", sessions, "tokens", tokens);
        if (withNewToken) {
            model.put("newToken", NEW_TOKEN);
            model.put("newTokenName", "CI " + XSS);
        }
        return model;
    }

    /** Three accounts: the admin viewing the page, one locked until a time, one locked with no end given. */
    static Map<String, Object> adminUsers(Map<String, String> errors) {
        List<Object> users = List.of(
                map("id", 1001L, "username", "ada" + XSS, "role", "admin", "createdAt", "2025-01-02",
                        "locked", false, "lockedUntil", null, "failedSignIns", 0, "self", true),
                map("id", 1002L, "username", "grace" + XSS, "role", "user", "createdAt", "2025-02-03",
                        "locked", true, "lockedUntil", "in 14 minutes " + XSS, "failedSignIns", 5, "self", false),
                map("id", 1003L, "username", "linus" + ATTR_XSS, "role", "admin", "createdAt", "2025-03-04",
                        "locked", true, "lockedUntil", null, "failedSignIns", 1, "self", false),
                map("id", 1004L, "username", "margaret", "role", "user", "createdAt", "2025-04-05",
                        "locked", false, "lockedUntil", null, "failedSignIns", 0, "self", false));
        return with(common(true, true, true, false), "users", users, "errors", errors,
                "form", map("username", "newbie" + ATTR_XSS, "role", "admin"));
    }

    static final List<String> AUDIT_ACTIONS = List.of("auth.sign_in", "auth.sign_in_failed", "project.deleted",
            "user.created", "user.locked");

    static Map<String, Object> audit(boolean empty, String action, String actor) {
        List<Object> events = empty ? List.of() : List.of(
                map("id", 9003L, "occurredAt", "1 minute ago", "occurredAtIso", "2026-01-02T03:04:05Z",
                        "actor", null, "action", "auth.sign_in_failed", "target", "user " + XSS,
                        "clientAddress", "203.0.113.9", "detail", "bad password " + XSS),
                map("id", 9002L, "occurredAt", "5 minutes ago", "occurredAtIso", "2026-01-02T03:00:05Z",
                        "actor", "ada" + XSS, "action", "user.locked" + XSS, "target", null,
                        "clientAddress", null, "detail", null),
                map("id", 9001L, "occurredAt", "1 hour ago", "occurredAtIso", "2026-01-02T02:04:05Z",
                        "actor", "grace" + ATTR_XSS, "action", "project.deleted", "target", "shop" + ATTR_XSS,
                        "clientAddress", "198.51.100.2", "detail", "slug confirmed"));
        return with(common(true, true, true, false), "events", events, "filter", map("action", action, "actor", actor),
                "actions", AUDIT_ACTIONS, "olderUrl", empty ? null : "/admin/audit?before=9001&action=" + action);
    }

    /** Project members; the viewer is the owner. */
    static Map<String, Object> projectMembers(boolean canManage, Map<String, String> errors) {
        List<Object> members = List.of(
                map("userId", 1001L, "username", "ada" + XSS, "role", "owner", "addedAt", "2025-01-02", "self", true),
                map("userId", 1002L, "username", "grace" + ATTR_XSS, "role", "maintainer", "addedAt", "2025-02-03",
                        "self", false),
                map("userId", 1004L, "username", "margaret" + XSS, "role", "viewer", "addedAt", "2025-04-05",
                        "self", false));
        return with(signedIn(), "project", project(5002L), "members", members, "canManage", canManage,
                "errors", errors, "form", map("username", "linus" + ATTR_XSS, "role", "maintainer"));
    }

    static final String SECRET_VALUE = "sk_live_must_never_render";

    /**
     * A plain variable, a secret whose value the server withholds (null), and a secret whose value leaked into the
     * model by mistake: the page must not print it either.
     */
    static Map<String, Object> projectVariables(boolean canEdit, Map<String, String> errors) {
        List<Object> variables = List.of(
                map("name", "API_URL" + XSS, "environment", "production", "secret", false,
                        "value", "https://api.example.test/?q=" + ATTR_XSS, "updatedAt", "yesterday"),
                map("name", "STRIPE_KEY" + ATTR_XSS, "environment", "production", "secret", true, "value", null,
                        "updatedAt", "last week"),
                map("name", "PREVIEW_TOKEN", "environment", "preview", "secret", true, "value", SECRET_VALUE,
                        "updatedAt", "today"),
                map("name", "EMPTY", "environment", "preview", "secret", false, "value", "", "updatedAt", "today"));
        return with(signedIn(), "project", project(5002L), "variables", variables, "canEdit", canEdit,
                "environments", List.of("production", "preview"), "errors", errors,
                "form", map("name", "NEW_VAR" + ATTR_XSS, "environment", "preview", "secret", true));
    }

    /**
     * Every status, a primary and a redirecting domain, and domains a CDN serves (before ownership, refused, online);
     * reasons, hosts and the CDN's words carry markup, which must stay text.
     */
    static Map<String, Object> projectDomains(boolean canEdit, Map<String, String> errors) {
        List<Object> domains = List.of(
                served(map("id", 1L, "host", "example.com", "status", "ACTIVE", "reason", "", "primary", true,
                        "redirect", false, "txtName", "_miaobu-challenge.example.com", "txtValue", "ab12",
                        "apex", true, "checkedAt", "today")),
                served(map("id", 2L, "host", "www.example.com", "status", "ACTIVE", "reason", "", "primary", false,
                        "redirect", true, "txtName", "_miaobu-challenge.www.example.com", "txtValue", "cd34",
                        "apex", false, "checkedAt", "today")),
                served(map("id", 3L, "host", "blog.example.com", "status", "ERROR",
                        "reason", "CNAME blog.example.com points to " + XSS + ", expected site.sites.test",
                        "primary", false, "redirect", false, "txtName", "_miaobu-challenge.blog.example.com",
                        "txtValue", "ef56" + ATTR_XSS, "apex", false, "checkedAt", "")),
                served(map("id", 4L, "host", "shop.example.org", "status", "PENDING_OWNERSHIP",
                        "reason", "TXT _miaobu-challenge.shop.example.org not found", "primary", false,
                        "redirect", false, "txtName", "_miaobu-challenge.shop.example.org", "txtValue", "gh78",
                        "apex", false, "checkedAt", "an hour ago")),
                served(map("id", 5L, "host", "example.net", "status", "PENDING_DNS", "reason", "No CNAME yet",
                        "primary", false, "redirect", false, "txtName", "_miaobu-challenge.example.net",
                        "txtValue", "ij90", "apex", true, "checkedAt", "now")),
                onCdn(map("id", 6L, "host", "cdn.example.org", "status", "PENDING_OWNERSHIP",
                        "reason", "TXT _miaobu-challenge.cdn.example.org not found", "primary", false,
                        "redirect", false, "txtName", "_miaobu-challenge.cdn.example.org", "txtValue", "kl12",
                        "apex", false, "checkedAt", "now"), "", "", "", ""),
                onCdn(map("id", 7L, "host", "refused.example.org", "status", "ERROR",
                        "reason", "The CDN refused the domain: on another account " + XSS, "primary", false,
                        "redirect", false, "txtName", "_miaobu-challenge.refused.example.org", "txtValue", "mn34",
                        "apex", false, "checkedAt", "now"), "", "", "", "on another account " + XSS),
                onCdn(map("id", 8L, "host", "example.org", "status", "ACTIVE", "reason", "", "primary", false,
                        "redirect", false, "txtName", "_miaobu-challenge.example.org", "txtValue", "op56",
                        "apex", true, "checkedAt", "now"), "example.org.w.kunlunsl.com" + ATTR_XSS, "ONLINE",
                        "Online on the CDN " + XSS, "Throttling " + XSS));
        return with(signedIn(), "project", project(5002L), "domains", domains, "cnameTarget", "site.sites.test",
                "addresses", List.of("192.0.2.10", "2001:db8::10"), "canEdit", canEdit, "errors", errors,
                "form", map("domain", "new.example.com" + ATTR_XSS));
    }

    /** A certificate as CertificatePages models it; the last error and the names carry markup that must not run. */
    static Map<String, Object> certificate(String status, String source) {
        boolean present = status.equals("ISSUED");
        return map("domain", "www.example.com", "domainId", 2L, "projectId", 5002L, "status", status,
                "source", present ? source : "", "issuer", present && source.equals("ISSUED") ? "acme" : "",
                "issuedBy", present ? "R11 " + XSS : "", "names", present ? "www.example.com, " + XSS : "",
                "serial", present ? "4a1f" : "", "notBefore", present ? "1 Nov 2026" : "",
                "notAfter", present ? "30 Jan 2027" : "", "notAfterIso", present ? "2027-01-30T00:00:00Z" : "",
                "daysLeft", present ? "65" : "", "expired", false, "issuedAt", present ? "1 Nov 2026" : "",
                "nextAttemptAt", "31 Dec 2026", "failedAttempts", status.equals("FAILED") ? 2 : 0,
                "lastAttemptAt", "today", "lastError", status.equals("FAILED")
                        ? "The CA could not validate www.example.com over HTTP-01: " + XSS : "",
                "cdnInstalledAt", "", "cdnError", "");
    }

    static Map<String, Object> domainCertificate(String status, boolean canEdit, Map<String, String> errors) {
        return with(signedIn(), "project", project(5002L), "domain", map("id", 2L, "host", "www.example.com"),
                "certificate", certificate(status, "ISSUED"), "canIssue", true, "canEdit", canEdit, "errors", errors,
                "form", map("certificate", "-----BEGIN CERTIFICATE-----" + ATTR_XSS));
    }

    static Map<String, Object> adminCertificates() {
        return with(signedIn(), "certificates", List.of(certificate("ISSUED", "ISSUED"), certificate("ISSUED",
                        "UPLOADED"), certificate("FAILED", "ISSUED"), certificate("PENDING", "ISSUED")),
                "issuer", "acme");
    }

    /** A domain this server serves, to the site host. */
    private static Map<String, Object> served(Map<String, Object> domain) {
        var row = new LinkedHashMap<String, Object>(domain);
        row.putAll(map("cname", "site.sites.test", "onCdn", false, "cdnName", "", "cdnStatus", "", "cdnMessage", "",
                "cdnError", "", "certificate", "ACTIVE".equals(domain.get("status")) ? "ISSUED" : "NONE"));
        return row;
    }

    /** A domain a CDN serves; its name carries markup. */
    private static Map<String, Object> onCdn(Map<String, Object> domain, String cname, String status, String message,
                                             String error) {
        var row = new LinkedHashMap<String, Object>(domain);
        row.putAll(map("cname", cname, "onCdn", true, "cdnName", "Edge CDN" + XSS, "cdnStatus", status,
                "cdnMessage", message, "cdnError", error, "certificate", "FAILED"));
        return row;
    }

    /** One field of every type; the stored secret's value is in the model by mistake and must never render. */
    static Map<String, Object> extensionSettings(Map<String, String> errors) {
        List<Object> fields = List.of(
                setting("baseUrl", "URL", true, false, "https://gitlab.example.test/" + ATTR_XSS, false, List.of()),
                setting("token", "SECRET", true, true, SECRET_VALUE, true, List.of()),
                setting("webhookSecret", "SECRET", true, true, null, false, List.of()),
                setting("verifyTls", "BOOLEAN", false, false, "true", false, List.of()),
                setting("timeoutSeconds", "NUMBER", false, false, "30", false, List.of()),
                setting("visibility", "SELECT", false, false, "internal", false,
                        List.of("private", "internal", "public" + XSS)),
                setting("group", "STRING", false, false, "team" + ATTR_XSS, false, List.of()),
                setting("colour", "SOMETHING_NEW", false, false, null, false, List.of()));
        return with(common(true, true, true, false),
                "extension", map("point", "source", "id", "gitlab", "name", "GitLab " + XSS),
                "fields", fields, "errors", errors, "connectionTest", true, "checksPassed", false,
                "checks", List.of(map("name", "Credentials accepted", "passed", true, "detail", ""),
                        map("name", "Write objects below miaobu/" + XSS, "passed", false,
                                "detail", "AccessDenied " + ATTR_XSS)));
    }

    private static Map<String, Object> setting(String name, String type, boolean required, boolean secret, String value,
                                               boolean isSet, List<String> options) {
        return map("name", name, "label", name + " label " + XSS, "help", name.equals("group") ? null : name + " help " + XSS,
                "type", type, "required", required, "secret", secret, "value", value, "isSet", isSet, "options", options);
    }

    static final List<String> EVENTS = List.of("deployment.queued", "deployment.started", "deployment.succeeded",
            "deployment.failed", "deployment.cancelled", "deployment.broken", "deployment.fixed",
            "deployment.rolled_back", "preview.ready", "preview.removed", "certificate.issued", "certificate.renewed",
            "certificate.renewal_failing", "certificate.expiring", "domain.verified", "domain.failed", "plugin.failed",
            "test");
    static final List<String> DEFAULT_EVENTS = List.of("deployment.failed", "deployment.fixed",
            "certificate.renewal_failing", "certificate.expiring");
    static final List<String> WEBHOOK_OUTCOMES = List.of("PROCESSED", "IGNORED", "REFUSED", "FAILED");
    static final List<String> DOMAIN_STATUSES = List.of("PENDING_OWNERSHIP", "PENDING_DNS", "ACTIVE", "ERROR");
    /** io.miaobu.server.cert.CertificateStatus, and NONE for a domain without one */
    static final List<String> CERTIFICATE_STATUSES = List.of("NONE", "PENDING", "ISSUED", "FAILED");
    /** {@code io.miaobu.api.cdn.DomainBinding.Status}. */
    static final List<String> CDN_DOMAIN_STATUSES = List.of("CONFIGURING", "ONLINE", "OFFLINE", "FAILED");

    /** A project's webhook page: registered or not, a delivery of each outcome, one a redelivery. */
    static Map<String, Object> projectWebhook(boolean installed, boolean canAct, String problem) {
        List<Object> deliveries = new ArrayList<>();
        int n = 0;
        for (String outcome : WEBHOOK_OUTCOMES) {
            n++;
            Map<String, Object> row = map("id", 8000L + n, "deliveryId", "d-" + n + XSS, "event", "push" + ATTR_XSS,
                    "receivedAt", "2026-01-02 03:04:0" + n + " UTC", "receivedAtIso", "2026-01-02T03:04:0" + n + "Z",
                    "outcome", outcome, "reason", "Branch not deployed: " + XSS, "httpStatus", 200,
                    "redeliverable", !outcome.equals("REFUSED"));
            if (outcome.equals("PROCESSED")) {
                row.put("deploymentId", 5002L);
                row.put("redeliveryOf", 8003L);
            }
            deliveries.add(row);
        }
        Map<String, Object> model = with(signedIn(), "project", project(5002L),
                "can", map("deploy", canAct, "configure", canAct, "own", false),
                "webhook", map("installed", installed, "id", installed ? "12345" + XSS : "",
                        "callbackUrl", "https://miaobu.example.test/hooks/github/1042", "hasSecret", installed),
                "deliveries", deliveries);
        if (problem != null) {
            model.put("problem", problem);
        }
        return model;
    }

    /** The repository picker: connected (a page of repositories, one imported) or asking to connect first. */
    static Map<String, Object> importPicker(boolean connected, boolean hasMore) {
        Map<String, Object> model = with(signedIn(), "source", map("id", "github", "name", "GitHub" + XSS),
                "search", "sh" + ATTR_XSS);
        if (!connected) {
            model.put("connectUrl", "/auth/github/start?intent=link&next=%2Fimport%2Fgithub");
            return model;
        }
        model.put("repositories", List.of(
                map("repository", map("fullName", "octo/shop" + XSS, "cloneUrl", "https://github.com/octo/shop.git",
                        "defaultBranch", "main" + XSS, "privateRepo", true, "webUrl", "https://github.com/octo/shop"),
                        "imported", true, "projectId", PROJECT_ID),
                map("repository", map("fullName", "octo/docs", "cloneUrl", "https://github.com/octo/docs.git?x=" + ATTR_XSS,
                        "defaultBranch", "trunk", "privateRepo", false, "webUrl", null),
                        "imported", false, "projectId", null)));
        model.put("page", 2);
        model.put("hasMore", hasMore);
        return model;
    }

    /** What the analysis of a repository proposes, as a form to accept or change. */
    static Map<String, Object> importAnalysis(boolean analysed, Map<String, String> errors) {
        Map<String, Object> model = with(signedIn(), "source", map("id", "github", "name", "GitHub"),
                "errors", errors,
                "form", map("name", "shop" + XSS, "repositoryUrl", "https://github.com/octo/shop.git",
                        "branch", "main" + ATTR_XSS, "rootDirectory", "", "installCommand", "npm ci",
                        "buildCommand", "npm run build" + XSS, "outputDirectory", "dist", "spa", false));
        if (analysed) {
            model.put("analysis", map("framework", "vite" + XSS, "packageManager", "npm",
                    "commitSha", "0123456789abcdef0123456789abcdef01234567"));
        } else {
            model.put("problem", "GitHub refused the token " + XSS);
        }
        return model;
    }

    static final List<String> DELIVERY_STATUSES = List.of("PENDING", "SENDING", "DELIVERED", "DEAD", "DROPPED");
    static final String CHANNEL_SECRET = "whsec_generated_shown_once";
    static final long CHANNEL_ID = 6001;

    /**
     * Three channels as the server lists them under {@code base}: a webhook, a team address list (disabled), and one
     * whose notifier is gone (its id shown for its name); an event kind this theme does not know yet.
     */
    static List<Object> channels(String base) {
        return List.of(
                map("id", CHANNEL_ID, "name", "Team hook " + XSS, "notifier", "webhook", "notifierName", "Webhook",
                        "events", List.of("deployment.failed", "deployment.fixed"), "recipients", List.of(),
                        "enabled", true, "createdAt", "2026-01-02 03:04:05 UTC", "createdAtIso", "2026-01-02T03:04:05Z",
                        "url", base + "/" + CHANNEL_ID),
                map("id", 6002L, "name", "Ops mail" + ATTR_XSS, "notifier", "email", "notifierName", "Email " + XSS,
                        "events", List.of("certificate.expiring", "brand.new_event"),
                        "recipients", List.of("ops@example.test", "x" + XSS + "@example.test"), "enabled", false,
                        "createdAt", "2026-01-03 03:04:05 UTC", "createdAtIso", "2026-01-03T03:04:05Z",
                        "url", base + "/6002"),
                map("id", 6003L, "name", "gone", "notifier", "pager", "notifierName", "pager", "events",
                        List.of("plugin.failed"), "recipients", List.of(), "enabled", true, "createdAt", "",
                        "createdAtIso", "", "url", base + "/6003"));
    }

    /** A webhook's channel settings: a URL (typed with a payload), a choice, and its generated signing secret. */
    static List<Object> webhookFields(boolean secretSet) {
        return List.of(
                setting("url", "URL", true, false, "https://hooks.example.test/" + ATTR_XSS, false, List.of()),
                setting("format", "CHOICE", true, false, "slack", false, List.of("miaobu", "slack", "dingtalk" + XSS)),
                setting("secret", "SECRET", false, true, secretSet ? SECRET_VALUE : null, secretSet, List.of()),
                setting("note", "TEXT", false, false, "multi\nline" + XSS, false, List.of()));
    }

    static Map<String, Object> webhookNotifier() {
        return map("id", "webhook", "name", "Webhook " + XSS, "recipients", false, "fields", webhookFields(false));
    }

    /** An email notifier as the add form gets it; "recipients" is false on a person's own page. */
    static Map<String, Object> emailNotifier(boolean recipients) {
        return map("id", "email", "name", "Email", "recipients", recipients, "fields", List.of());
    }

    static List<Object> notifiers() {
        return List.of(map("id", "webhook", "name", "Webhook " + XSS), map("id", "email", "name", "Email"));
    }

    /** What every channel list page has: its channels, the notifiers, the add form for the webhook. */
    static Map<String, Object> channelList(Map<String, Object> base, String path, boolean canEdit,
                                           Map<String, String> errors, Map<String, Object> notifier) {
        return with(base, "base", path, "canEdit", canEdit, "channels", channels(path), "notifiers", notifiers(),
                "notifier", notifier,
                "events", EVENTS.subList(0, EVENTS.size() - 1), "errors", errors,
                "form", map("name", "New hook" + ATTR_XSS, "events", DEFAULT_EVENTS,
                        "recipients", "a@example.test\n" + XSS, "enabled", true));
    }

    static Map<String, Object> newSecrets() {
        return map("channel", "Team hook " + XSS, "secrets",
                List.of(map("name", "secret", "label", "Signing secret " + XSS, "value", CHANNEL_SECRET)));
    }

    static Map<String, Object> projectNotifications(boolean canEdit, boolean withSecret, Map<String, String> errors) {
        Map<String, Object> model = channelList(with(signedIn(), "project", project(5002L)),
                "/projects/" + PROJECT_ID + "/notifications", canEdit, errors, webhookNotifier());
        if (withSecret) {
            model.put("newSecrets", newSecrets());
        }
        return model;
    }

    static Map<String, Object> accountNotifications(String email, boolean emailNotifier, Map<String, String> errors) {
        return channelList(with(common(true, false, true, false), "email", email, "emailForm", email + ATTR_XSS,
                "emailNotifier", emailNotifier), "/account/notifications", true, errors, emailNotifier(false));
    }

    static Map<String, Object> delivery(long id, String status) {
        boolean pending = status.equals("PENDING");
        return map("id", id, "event", "deployment.failed", "summary", "Shop " + XSS + ": deployment #5000 failed",
                "status", status, "attempts", 3, "statusCode", pending ? null : 503,
                "detail", "HTTP 503 from hooks.example.test: " + XSS, "recipient", id == 7003 ? "ops@example.test" : null,
                "refused", null, "notifier", "webhook", "channelId", CHANNEL_ID, "projectId", PROJECT_ID,
                "createdAt", "2026-01-02 03:04:05 UTC", "createdAtIso", "2026-01-02T03:04:05Z",
                "finishedAt", pending ? "" : "2026-01-02 03:09:05 UTC", "finishedAtIso", pending ? "" : "2026-01-02T03:09:05Z",
                "nextAttemptAt", pending ? "2026-01-02 03:14:05 UTC" : "", "nextAttemptAtIso",
                pending ? "2026-01-02T03:14:05Z" : "",
                "channel", id == 7003 ? "" : "Team hook " + XSS, "channelUrl", id == 7001 ? "/admin/notifications/" + CHANNEL_ID : "");
    }

    static Map<String, Object> adminNotifications(boolean empty, boolean withSecret) {
        Map<String, Object> model = channelList(common(true, true, true, false), "/admin/notifications", true,
                errors(), webhookNotifier());
        model.put("deadLetters", empty ? List.of() : List.of(delivery(7001, "DEAD"), delivery(7003, "DEAD")));
        if (empty) {
            model.put("channels", List.of());
        }
        if (withSecret) {
            model.put("newSecrets", newSecrets());
        }
        return model;
    }

    /** One channel's page in a scope ("project", "account", "admin") with its deliveries. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> notificationChannel(String scope, boolean canEdit, Map<String, String> errors) {
        String base = switch (scope) {
            case "project" -> "/projects/" + PROJECT_ID + "/notifications";
            case "account" -> "/account/notifications";
            default -> "/admin/notifications";
        };
        Map<String, Object> channel = new LinkedHashMap<>((Map<String, Object>) channels(base).get(0));
        channel.putAll(map("installed", true, "takesRecipients", false, "fields", webhookFields(true)));
        Map<String, Object> model = with(scope.equals("admin") ? common(true, true, true, true) : signedIn(),
                "scope", scope, "base", base, "canEdit", canEdit, "channel", channel,
                "events", EVENTS.subList(0, EVENTS.size() - 1), "errors", errors,
                "deliveries", List.of(delivery(7002, "PENDING"), delivery(7001, "DEAD"),
                        with(delivery(7000, "DELIVERED"), "statusCode", 200, "detail", "200 OK")),
                "form", map("name", "Team hook " + XSS, "events", List.of("deployment.failed", "deployment.fixed"),
                        "recipients", "", "enabled", true));
        if (scope.equals("project")) {
            model.put("project", project(5002L));
        }
        return model;
    }

    static Map<String, Object> adminDelivery(String status) {
        List<Object> tries = List.of(
                map("attempt", 1, "at", "2026-01-02 03:04:05 UTC", "atIso", "2026-01-02T03:04:05Z", "succeeded", false,
                        "statusCode", "503", "detail", "HTTP 503 " + XSS, "duration", "0.2 s"),
                map("attempt", 2, "at", "2026-01-02 03:05:05 UTC", "atIso", "2026-01-02T03:05:05Z", "succeeded", false,
                        "statusCode", "", "detail", "No answer within 10 s" + ATTR_XSS, "duration", "10 s"));
        return with(common(true, true, true, false), "delivery", delivery(7001, status), "tries", tries);
    }

    /** One typical model per page, so generic checks can walk every page there is. */
    static Map<String, Map<String, Object>> everyPage() {
        Map<String, Map<String, Object>> pages = new LinkedHashMap<>();
        pages.put("setup", setup(errors()));
        pages.put("login", login(errors(), "/"));
        pages.put("dashboard", dashboard(false));
        pages.put("project-new", projectNew(errors()));
        pages.put("project", projectPageWithPreviews());
        pages.put("deployment", deploymentPage(false));
        pages.put("project-settings", settings(true, errors()));
        pages.put("project-members", projectMembers(true, errors()));
        pages.put("project-variables", projectVariables(true, errors()));
        pages.put("project-domains", projectDomains(true, errors()));
        pages.put("plugins", plugins(false));
        pages.put("plugin-update-site", pluginUpdateSite(true, ""));
        pages.put("extension-settings", extensionSettings(errors()));
        pages.put("project-extension-settings", projectExtensionSettings(errors()));
        pages.put("account", account(true, errors()));
        pages.put("admin-users", adminUsers(errors()));
        pages.put("admin-audit", audit(false, "auth.sign_in_failed", "ada"));
        pages.put("admin-queue", queue(false));
        pages.put("admin-disk", disk(true));
        pages.put("domain-certificate", domainCertificate("ISSUED", true, errors()));
        pages.put("admin-certificates", adminCertificates());
        pages.put("project-notifications", projectNotifications(true, false, errors()));
        pages.put("account-notifications", accountNotifications("ada@example.test", true, errors()));
        pages.put("admin-notifications", adminNotifications(false, false));
        pages.put("notification-channel", notificationChannel("project", true, errors()));
        pages.put("admin-delivery", adminDelivery("DEAD"));
        pages.put("project-webhook", projectWebhook(true, true, null));
        pages.put("import", importPicker(true, true));
        pages.put("import-analysis", importAnalysis(true, errors()));
        pages.put("error", error(404, "Not here " + XSS, true));
        return pages;
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
