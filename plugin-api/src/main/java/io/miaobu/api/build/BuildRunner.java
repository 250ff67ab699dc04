package io.miaobu.api.build;

import io.miaobu.api.MiaobuExtension;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;

/**
 * Where a builder's commands run: a child process of the server (the core's {@code host} runner) or a container
 * (the {@code docker} plugin).
 *
 * <p>Called on the build's thread. A runner streams standard output and error into the log as they arrive, never
 * through a pipe that could hide the exit code, and guarantees that when {@link #run} returns or throws, no process it
 * started is left running: on timeout and on interruption it kills the whole process tree (children and
 * grandchildren).
 */
public interface BuildRunner extends MiaobuExtension {

    /**
     * Runs one command to its end.
     *
     * @return how it ended; a timeout is reported, not thrown
     * @throws io.miaobu.api.ExtensionException when it cannot be started at all (program missing, engine down)
     * @throws InterruptedException             when the build was cancelled; the process tree is dead by then
     */
    CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException;

    /**
     * The runner for one build: this one configured with the admin's settings and the build's plan (a container
     * runner picks the image for the detected Node version). Called on the build's thread before the first command.
     * The default has nothing to configure.
     *
     * @throws io.miaobu.api.ExtensionException when the settings cannot work
     */
    default BuildRunner forBuild(ConfigValues globalSettings, BuildPlan plan) {
        return this;
    }

    /**
     * The runner for one build, knowing also where the build's sources are and which project it builds, so that it
     * can prepare the build's environment from files in the repository (the {@code docker} runner builds the image a
     * project describes in {@code .miaobu/build.Dockerfile}). The host calls this one, on the build's thread, after
     * the checkout and before the first command; nothing is run here, a runner that prepares something does it on the
     * first command, within that command's time limit and log. The default ignores the two new arguments and calls
     * {@link #forBuild(ConfigValues, BuildPlan)}, so runners written before this method existed work unchanged.
     *
     * @param globalSettings  the values saved for this runner's {@link #globalSettings()}
     * @param plan            the plan being built
     * @param sourceDirectory the build's source directory: the checkout, or the project's root directory within it
     *                        ({@link BuildContext#sourceDirectory()}). The runner may read it; it belongs to the build
     *                        and is deleted after it
     * @param projectKey      a stable name for the project, the same for all its builds: its slug (lower-case letters,
     *                        digits and {@code -}). A runner may name things it keeps between builds after it
     * @throws io.miaobu.api.ExtensionException when the settings cannot work
     */
    default BuildRunner forBuild(ConfigValues globalSettings, BuildPlan plan, Path sourceDirectory,
                                 String projectKey) {
        return forBuild(globalSettings, plan);
    }

    /**
     * The runner for one build, with also the settings the project saved for this runner (its
     * {@link #projectSettings()}). The host calls this one, on the build's thread, after the checkout and before the
     * first command, as it calls {@link #forBuild(ConfigValues, BuildPlan, Path, String)}. The default ignores the
     * project's settings and calls that method, so runners written before this one existed work unchanged; a runner
     * without project settings need not override it.
     *
     * @param globalSettings  the values saved for this runner's {@link #globalSettings()}
     * @param projectSettings the values the project saved for this runner's {@link #projectSettings()}, defaults
     *                        filled in and secrets opened; {@link ConfigValues#EMPTY} when there are none
     * @param plan            the plan being built
     * @param sourceDirectory the build's source directory (see {@link #forBuild(ConfigValues, BuildPlan, Path,
     *                        String)})
     * @param projectKey      a stable name for the project: its slug
     * @throws io.miaobu.api.ExtensionException when the settings cannot work
     */
    default BuildRunner forBuild(ConfigValues globalSettings, ConfigValues projectSettings, BuildPlan plan,
                                 Path sourceDirectory, String projectKey) {
        return forBuild(globalSettings, plan, sourceDirectory, projectKey);
    }

    /**
     * Removes what a previous run of the server left behind (containers of builds it never saw end). Called once when
     * the server starts, before builds run.
     *
     * @return how many were removed
     * @throws RunnerUnavailableException when the runner's engine cannot be reached
     */
    default int removeOrphans(ConfigValues globalSettings) {
        return 0;
    }
}
