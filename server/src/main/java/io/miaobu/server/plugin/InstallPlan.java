package io.miaobu.server.plugin;

import io.miaobu.server.web.UserFacingException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What installing one plugin from the update site takes: the release asked for and every plugin it needs, directly
 * or not, that is not installed yet, dependencies first. Worked out and checked before anything is downloaded: the
 * core version each release needs, every dependency's version range, installed plugins that would be broken by an
 * upgrade. A set that cannot work is refused with the reason in words.
 */
final class InstallPlan {

    private final Map<String, UpdateSite.Entry> catalogue;
    private final Map<String, PluginHost.PluginInfo> installed;
    private final String systemVersion;
    private final List<UpdateSite.Release> steps = new ArrayList<>();
    private final Set<String> visiting = new LinkedHashSet<>();

    private InstallPlan(List<UpdateSite.Entry> catalogue, List<PluginHost.PluginInfo> installed,
                        String systemVersion) {
        this.catalogue = catalogue.stream().collect(Collectors.toMap(UpdateSite.Entry::id, Function.identity(),
                (a, b) -> a));
        this.installed = installed.stream().collect(Collectors.toMap(PluginHost.PluginInfo::id,
                Function.identity(), (a, b) -> a));
        this.systemVersion = systemVersion;
    }

    /**
     * The releases to install, dependencies first, the one asked for last.
     *
     * @param version the version to install; null for the newest that runs on this server
     * @throws UserFacingException 404 for a plugin or version the catalogue does not have, 409 for a set that cannot
     *                             be installed
     */
    static List<UpdateSite.Release> of(List<UpdateSite.Entry> catalogue, String id, String version,
                                       List<PluginHost.PluginInfo> installed, String systemVersion) {
        var plan = new InstallPlan(catalogue, installed, systemVersion);
        UpdateSite.Entry entry = plan.catalogue.get(id);
        if (entry == null) {
            throw UserFacingException.notFound("The update site has no plugin '" + id + "'.");
        }
        UpdateSite.Release release;
        if (version == null || version.isBlank()) {
            release = plan.newestRunnable(entry, "*").orElseThrow(() -> UserFacingException.conflict(
                    "No release of plugin '" + id + "' on the update site runs on Miaobu " + systemVersion + "."));
        } else {
            release = entry.releases().stream().filter(r -> r.version().equals(version.strip())).findFirst()
                    .orElseThrow(() -> UserFacingException.notFound("The update site has no version " + version
                            + " of plugin '" + id + "'."));
        }
        plan.add(release);
        return List.copyOf(plan.steps);
    }

    /** The newest release of an entry that runs on this core and lies in {@code range}. */
    Optional<UpdateSite.Release> newestRunnable(UpdateSite.Entry entry, String range) {
        return entry.releases().stream()
                .filter(r -> PluginVersions.satisfies(systemVersion, r.requires()))
                .filter(r -> PluginVersions.satisfies(r.version(), range))
                .findFirst();
    }

    private void add(UpdateSite.Release release) {
        String label = "'" + release.id() + "' " + release.version();
        if (!visiting.add(release.id())) {
            throw UserFacingException.conflict("Plugin " + label + " depends on itself through "
                    + String.join(" → ", visiting) + ".");
        }
        if (!PluginVersions.satisfies(systemVersion, release.requires())) {
            throw UserFacingException.conflict("Plugin " + label + " needs Miaobu " + release.requires()
                    + "; this server is " + systemVersion + ".");
        }
        checkInstalledDependents(release);
        for (Map.Entry<String, String> dependency : release.dependencies().entrySet()) {
            String needed = dependency.getKey();
            String range = dependency.getValue();
            String wanted = "'" + needed + "'" + ("*".equals(range) ? "" : " " + range);
            if (steps.stream().anyMatch(s -> s.id().equals(needed) && PluginVersions.satisfies(s.version(), range))) {
                continue;
            }
            PluginHost.PluginInfo present = installed.get(needed);
            if (present != null) {
                if (!PluginVersions.satisfies(present.version(), range)) {
                    throw UserFacingException.conflict("Plugin " + label + " needs plugin " + wanted + ", but version "
                            + present.version() + " is installed. Upgrade it first.");
                }
                if (!present.state().equals("STARTED")) {
                    throw UserFacingException.conflict("Plugin " + label + " needs plugin " + wanted + ", which is "
                            + (present.state().equals("DISABLED") ? "disabled" : "not running") + ". Enable it"
                            + " first.");
                }
                continue;
            }
            UpdateSite.Entry offered = catalogue.get(needed);
            if (offered == null) {
                throw UserFacingException.conflict("Plugin " + label + " needs plugin " + wanted + ", which is"
                        + " neither installed nor on the update site.");
            }
            UpdateSite.Release chosen = newestRunnable(offered, range).orElseThrow(() -> UserFacingException
                    .conflict("Plugin " + label + " needs plugin " + wanted + ", but no release of it on the update"
                            + " site is in that range and runs on Miaobu " + systemVersion + "."));
            add(chosen);
        }
        visiting.remove(release.id());
        if (steps.stream().noneMatch(s -> s.id().equals(release.id()))) {
            steps.add(release);
        }
    }

    /** An upgrade must stay within the range of every installed plugin that needs it. */
    private void checkInstalledDependents(UpdateSite.Release release) {
        for (PluginHost.PluginInfo plugin : installed.values()) {
            for (PluginHost.Dependency dependency : plugin.dependencies()) {
                if (dependency.id().equals(release.id())
                        && !PluginVersions.satisfies(release.version(), dependency.versions())) {
                    throw UserFacingException.conflict("Plugin '" + plugin.id() + "' needs '" + release.id() + "' "
                            + dependency.versions() + "; " + release.version() + " would break it.");
                }
            }
        }
    }
}
