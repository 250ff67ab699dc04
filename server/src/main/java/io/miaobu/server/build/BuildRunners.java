package io.miaobu.server.build;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.build.RunnerUnavailableException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import io.miaobu.server.plugin.ExtensionRegistry;
import io.miaobu.server.plugin.ExtensionSettings;
import io.miaobu.server.project.ProjectExtensionValues;
import io.miaobu.server.plugin.Extensions;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses where a build's commands run: the runner the admin configured ({@code builds.runner}: {@code host}, the
 * core's, or a plugin's such as {@code docker}), configured with its settings for the build's plan. When that runner's
 * engine is unavailable, the build fails with its message — or, if the admin allowed it
 * ({@code builds.runner.fallback=true}), runs on the host with a warning in the log.
 */
public final class BuildRunners {

    private static final Logger LOG = LoggerFactory.getLogger(BuildRunners.class);

    private final ExtensionRegistry extensions;
    private final ExtensionSettings settings;
    private final ProjectExtensionValues projectSettings;
    private final BuildRunner host;
    private final String configured;
    private final boolean fallbackToHost;

    /** @param projectSettings the settings a project saved for the runner, passed to it for the project's builds */
    public BuildRunners(ExtensionRegistry extensions, ExtensionSettings settings,
                        ProjectExtensionValues projectSettings, BuildRunner host, String configured,
                        boolean fallbackToHost) {
        this.extensions = extensions;
        this.settings = settings;
        this.projectSettings = projectSettings;
        this.host = host;
        this.configured = configured;
        this.fallbackToHost = fallbackToHost;
    }

    /**
     * The runner for one build of the project {@code projectId} ({@code projectSlug}), whose sources are in
     * {@code sourceDirectory}.
     *
     * @param trusted whether the build may see the project's secrets (see {@link #trustedOnly})
     * @throws BuildFailure when the configured runner is not installed (and no fallback is allowed) or refuses its
     *                      settings
     */
    public BuildRunner forBuild(BuildPlan plan, Path sourceDirectory, long projectId, String projectSlug,
                                boolean trusted, TaskLog log) throws BuildFailure {
        return forBuild(extensions, plan, sourceDirectory, projectId, projectSlug, trusted, log);
    }

    /** As {@link #forBuild(BuildPlan, Path, long, String, boolean, TaskLog)}, with the runner from the build's own extensions. */
    public BuildRunner forBuild(Extensions from, BuildPlan plan, Path sourceDirectory, long projectId,
                                String projectSlug, boolean trusted, TaskLog log) throws BuildFailure {
        if (configured.equals(host.id())) {
            return host;
        }
        var runner = from.find(BuildRunner.class, configured);
        if (runner.isEmpty()) {
            if (fallbackToHost) {
                log.warn("The build runner '" + configured + "' is not installed; running on the host instead.");
                return host;
            }
            throw new BuildFailure("The build runner '" + configured + "' is not installed or not running. An admin"
                    + " can check the plugins page.");
        }
        BuildRunner bound;
        try {
            bound = runner.get().forBuild(settings.valuesFor("BuildRunner", runner.get()),
                    trustedOnly(projectSettings.valuesFor(projectId, "BuildRunner", runner.get()), trusted), plan,
                    sourceDirectory, projectSlug);
        } catch (ExtensionException e) {
            throw new BuildFailure(e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("The {} runner failed to prepare a build", configured, e);
            throw new BuildFailure("The build runner '" + configured + "' failed: " + e.getMessage());
        }
        log.info("Commands run with the " + runner.get().displayName() + " runner.");
        return fallbackToHost ? new HostFallback(bound, host) : bound;
    }

    /**
     * A project's settings for what runs the build's commands (its builder, its runner): without the secret ones for
     * a build nobody with access to the project reviewed (a pull request from a fork), as its secret variables are.
     */
    static ConfigValues trustedOnly(ConfigValues projectSettings, boolean trusted) {
        return trusted || projectSettings.secretNames().isEmpty() ? projectSettings
                : ConfigValues.of(projectSettings.plainValues());
    }

    /** Removes what the runners left behind when the server last stopped; never fails the start. */
    public void removeOrphans() {
        for (BuildRunner runner : extensions.all(BuildRunner.class)) {
            try {
                int removed = runner.removeOrphans(settings.valuesFor("BuildRunner", runner));
                if (removed > 0) {
                    LOG.warn("Removed {} leftovers of builds from the {} runner", removed, runner.id());
                }
            } catch (RuntimeException e) {
                LOG.warn("Could not look for leftovers of the {} runner: {}", runner.id(), e.getMessage());
            }
        }
    }

    /** Runs on the chosen runner; when its engine is unavailable, on the host. */
    private record HostFallback(BuildRunner primary, BuildRunner host) implements BuildRunner {

        @Override
        public String id() {
            return primary.id();
        }

        @Override
        public String displayName() {
            return primary.displayName();
        }

        @Override
        public CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException {
            try {
                return primary.run(command, log);
            } catch (RunnerUnavailableException e) {
                log.warn(e.getMessage() + " Running on the host instead, as the admin allowed.");
                return host.run(command, log);
            }
        }
    }
}
