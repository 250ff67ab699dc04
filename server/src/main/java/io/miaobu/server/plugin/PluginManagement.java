package io.miaobu.server.plugin;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.server.audit.Actor;
import io.miaobu.server.audit.AuditAction;
import io.miaobu.server.audit.AuditLog;
import io.miaobu.server.web.UserFacingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;

/**
 * What admins do with plugins, as the plugin manager page and the API offer it: list them with their extensions,
 * dependencies, dependents and the projects that use them; install from a zip or the update site; enable, disable,
 * upgrade and uninstall. Every change is audited; a plugin that ends up failed is reported to {@code failures}.
 */
public final class PluginManagement {

    private final PluginHost host;
    private final ExtensionRegistry extensions;
    private final UpdateSite updateSite;
    private final Jdbi jdbi;
    private final AuditLog audit;
    private final Consumer<PluginHost.PluginInfo> failures;

    public PluginManagement(PluginHost host, ExtensionRegistry extensions, UpdateSite updateSite, Jdbi jdbi,
                            AuditLog audit, Consumer<PluginHost.PluginInfo> failures) {
        this.host = host;
        this.extensions = extensions;
        this.updateSite = updateSite;
        this.jdbi = jdbi;
        this.audit = audit;
        this.failures = failures;
    }

    /** A plugin as the plugin manager shows it. */
    public record PluginView(String id, String version, String state, boolean enabled, String provider,
                             String description, String license, String error, String requires,
                             List<PluginHost.Dependency> dependencies, List<String> dependents,
                             List<ExtensionView> extensions, List<ProjectUse> projects) {
    }

    /** One extension a plugin contributes. */
    public record ExtensionView(String point, String id, String name) {
    }

    /** A project that uses one of the plugin's extensions (as its source, builder or deploy target). */
    public record ProjectUse(long id, String slug, String name, List<String> uses) {
    }

    /** What an install or upgrade did. */
    public record Outcome(PluginView plugin, String previousVersion) {
    }

    public List<PluginView> plugins() {
        List<PluginHost.PluginInfo> infos = host.plugins();
        var extensionsByPlugin = new HashMap<String, List<ExtensionView>>();
        var ownerByUse = new HashMap<String, String>();
        for (Class<? extends MiaobuExtension> point : ExtensionRegistry.POINTS) {
            for (MiaobuExtension extension : extensions.all(point)) {
                String owner = extensions.ownerOf(extension);
                extensionsByPlugin.computeIfAbsent(owner, k -> new ArrayList<>())
                        .add(new ExtensionView(point.getSimpleName(), extension.id(), nameOf(extension)));
                ownerByUse.putIfAbsent(point.getSimpleName() + ":" + extension.id(), owner);
            }
        }
        Map<String, List<ProjectUse>> projects = projectsByPlugin(ownerByUse);
        var views = new ArrayList<PluginView>();
        for (PluginHost.PluginInfo info : infos) {
            List<String> dependents = infos.stream()
                    .filter(other -> other.dependencies().stream().anyMatch(d -> d.id().equals(info.id())))
                    .map(PluginHost.PluginInfo::id).toList();
            views.add(new PluginView(info.id(), info.version(), info.state(), info.enabled(), info.provider(),
                    info.description(), info.license(), info.error(), info.requires(), info.dependencies(),
                    dependents, extensionsByPlugin.getOrDefault(info.id(), List.of()),
                    projects.getOrDefault(info.id(), List.of())));
        }
        return List.copyOf(views);
    }

    public PluginView plugin(String id) {
        return find(id).orElseThrow(() -> UserFacingException.notFound("No plugin '" + id + "' is installed."));
    }

    /**
     * Installs or upgrades from an uploaded zip: the request body itself, or a multipart form's {@code file} field.
     *
     * @param contentType the request's Content-Type
     */
    public Outcome install(InputStream body, String contentType, Actor actor) throws IOException {
        Path file = host.newUploadFile();
        try {
            PluginUploads.read(body, contentType, file, host.limits().maxZipBytes());
            return installFile(file, null, null, actor);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    public PluginView enable(String id, Actor actor) {
        PluginHost.PluginInfo info = host.enable(id);
        audit.record(actor, AuditAction.PLUGIN_ENABLED, "plugin:" + id, info.state().equals("STARTED") ? "started"
                : "failed: " + info.error());
        if (!info.state().equals("STARTED")) {
            failures.accept(info);
        }
        return plugin(id);
    }

    /** @return the plugins disabled: the dependents (with {@code withDependents}) and then {@code id} */
    public List<String> disable(String id, boolean withDependents, Actor actor) {
        List<String> disabled = host.disable(id, withDependents);
        for (String plugin : disabled) {
            audit.record(actor, AuditAction.PLUGIN_DISABLED, "plugin:" + plugin,
                    plugin.equals(id) ? "" : "with " + id);
        }
        return disabled;
    }

    /** @return the plugins uninstalled */
    public List<String> uninstall(String id, boolean withDependents, Actor actor) {
        List<String> removed = host.uninstall(id, withDependents);
        for (String plugin : removed) {
            audit.record(actor, AuditAction.PLUGIN_UNINSTALLED, "plugin:" + plugin,
                    plugin.equals(id) ? "" : "with " + id);
        }
        return removed;
    }

    /** A plugin of the update site's catalogue, with what is installed of it here. */
    public record CatalogueEntry(String id, String name, String description, String provider, String license,
                                 String installedVersion, String newestVersion, boolean upgradable,
                                 List<CatalogueRelease> releases) {
    }

    /** One release as offered here: whether it runs on this server, and why not. */
    public record CatalogueRelease(String version, String requires, Map<String, String> dependencies,
                                   boolean installable, String problem) {
    }

    /** The update site's catalogue (fetched and its signature checked now). */
    public List<CatalogueEntry> catalogue() {
        List<UpdateSite.Entry> entries = updateSite.catalogue();
        List<PluginHost.PluginInfo> installed = host.plugins();
        var result = new ArrayList<CatalogueEntry>();
        for (UpdateSite.Entry entry : entries) {
            String installedVersion = installed.stream().filter(p -> p.id().equals(entry.id()))
                    .map(PluginHost.PluginInfo::version).findFirst().orElse(null);
            var releases = new ArrayList<CatalogueRelease>();
            String newest = null;
            for (UpdateSite.Release release : entry.releases()) {
                String problem = null;
                try {
                    InstallPlan.of(entries, entry.id(), release.version(), installed, host.systemVersion());
                } catch (UserFacingException e) {
                    problem = e.getMessage();
                }
                if (problem == null && newest == null) {
                    newest = release.version();
                }
                releases.add(new CatalogueRelease(release.version(), release.requires(), release.dependencies(),
                        problem == null, problem));
            }
            boolean upgradable = installedVersion != null && newest != null
                    && PluginVersions.isValid(installedVersion)
                    && PluginVersions.compare(newest, installedVersion) > 0;
            result.add(new CatalogueEntry(entry.id(), entry.name(), entry.description(), entry.provider(),
                    entry.license(), installedVersion, newest, upgradable, List.copyOf(releases)));
        }
        return List.copyOf(result);
    }

    public boolean updateSiteConfigured() {
        return updateSite.configured();
    }

    /**
     * Installs (or upgrades to) a release from the update site, with every plugin it needs that is not installed yet,
     * dependencies first. The whole set is checked before anything is downloaded.
     *
     * @param version null for the newest release that runs here
     * @return what each step installed, the plugin asked for last
     */
    public List<Outcome> installFromUpdateSite(String id, String version, Actor actor) throws IOException {
        List<UpdateSite.Entry> entries = updateSite.catalogue();
        List<UpdateSite.Release> steps = InstallPlan.of(entries, id, version, host.plugins(), host.systemVersion());
        // every zip is downloaded and its SHA-256 checked before the first one is installed
        var files = new ArrayList<Path>();
        try {
            for (UpdateSite.Release release : steps) {
                Path file = host.newUploadFile();
                files.add(file);
                updateSite.download(release, file);
            }
            var outcomes = new ArrayList<Outcome>();
            for (int i = 0; i < steps.size(); i++) {
                outcomes.add(installFile(files.get(i), steps.get(i).id(), steps.get(i).version(), actor));
            }
            return List.copyOf(outcomes);
        } finally {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        }
    }

    private Outcome installFile(Path file, String expectId, String expectVersion, Actor actor) throws IOException {
        String id = PluginArchive.check(file, host.limits()).descriptor().id();
        PluginHost.Installed installed;
        try {
            installed = host.install(file, expectId, expectVersion);
        } catch (UserFacingException e) {
            if (PluginHost.UPGRADE_ROLLED_BACK.equals(e.code())) {
                audit.record(actor, AuditAction.PLUGIN_UPGRADE_ROLLED_BACK, "plugin:" + id, e.getMessage());
            }
            throw e;
        }
        PluginHost.PluginInfo info = installed.plugin();
        String source = expectId == null ? "upload" : "update site";
        if (installed.replacedVersion() == null) {
            audit.record(actor, AuditAction.PLUGIN_INSTALLED, "plugin:" + info.id(), info.version() + " from "
                    + source + ", " + info.state().toLowerCase(java.util.Locale.ROOT));
        } else {
            audit.record(actor, AuditAction.PLUGIN_UPGRADED, "plugin:" + info.id(), installed.replacedVersion()
                    + " → " + info.version() + " from " + source);
        }
        if (info.state().equals("FAILED")) {
            failures.accept(info);
        }
        return new Outcome(plugin(info.id()), installed.replacedVersion());
    }

    private Optional<PluginView> find(String id) {
        return plugins().stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** A plugin's text may throw like any other call into it; the page shows the id instead. */
    private static String nameOf(MiaobuExtension extension) {
        try {
            String name = extension.displayName();
            return name == null || name.isBlank() ? extension.id() : name;
        } catch (RuntimeException | LinkageError e) {
            return extension.id();
        }
    }

    private Map<String, List<ProjectUse>> projectsByPlugin(Map<String, String> ownerByUse) {
        List<ProjectRow> rows = jdbi.withHandle(handle -> handle.createQuery("SELECT id, slug, name,"
                        + " source_provider, builder, deploy_target FROM projects ORDER BY name")
                .map((row, context) -> new ProjectRow(row.getLong("id"), row.getString("slug"), row.getString("name"),
                        row.getString("source_provider"), row.getString("builder"), row.getString("deploy_target")))
                .list());
        var result = new HashMap<String, List<ProjectUse>>();
        for (ProjectRow row : rows) {
            var byPlugin = new java.util.LinkedHashMap<String, List<String>>();
            use(byPlugin, ownerByUse, "SourceProvider", row.source(), "source");
            use(byPlugin, ownerByUse, "Builder", row.builder(), "builder");
            use(byPlugin, ownerByUse, "DeployTarget", row.deployTarget(), "deploy target");
            byPlugin.forEach((plugin, uses) -> result.computeIfAbsent(plugin, k -> new ArrayList<>())
                    .add(new ProjectUse(row.id(), row.slug(), row.name(), List.copyOf(uses))));
        }
        return result;
    }

    private record ProjectRow(long id, String slug, String name, String source, String builder,
                              String deployTarget) {
    }

    private static void use(Map<String, List<String>> byPlugin, Map<String, String> ownerByUse, String point,
                            String id, String as) {
        String owner = ownerByUse.get(point + ":" + id);
        if (owner != null) {
            byPlugin.computeIfAbsent(owner, k -> new ArrayList<>()).add(as + " " + id);
        }
    }
}
