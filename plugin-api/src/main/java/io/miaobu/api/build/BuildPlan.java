package io.miaobu.api.build;

import java.util.Objects;

/**
 * How to build a project: what a {@link Builder} detected, with the user's overrides applied by the host.
 *
 * <p>Commands are shell command lines the project's owner writes (as in {@code package.json} scripts); they run as
 * {@code sh -c <command>} in the source directory with nothing else put into the string, and their exit code decides.
 *
 * @param framework       the detected framework's id ({@code vite}, {@code next}, ...) or {@code static}
 * @param packageManager  {@code npm}, {@code yarn}, {@code pnpm}, or an empty string when nothing is installed
 * @param installCommand  the install command, or an empty string to skip installing
 * @param buildCommand    the build command, or an empty string to skip building
 * @param outputDirectory the directory, relative to the source directory, holding the files to publish
 * @param runtimeVersion  the Node version asked for (from {@code engines} or {@code .nvmrc}), or an empty string
 */
public record BuildPlan(String framework, String packageManager, String installCommand, String buildCommand,
                        String outputDirectory, String runtimeVersion) {

    public BuildPlan {
        Objects.requireNonNull(framework, "framework");
        packageManager = packageManager == null ? "" : packageManager;
        installCommand = installCommand == null ? "" : installCommand;
        buildCommand = buildCommand == null ? "" : buildCommand;
        Objects.requireNonNull(outputDirectory, "outputDirectory");
        runtimeVersion = runtimeVersion == null ? "" : runtimeVersion;
    }

    /** This plan with the non-blank overrides put in place of the detected values. */
    public BuildPlan withOverrides(String install, String build, String output) {
        return new BuildPlan(framework, packageManager,
                isBlank(install) ? installCommand : install.strip(),
                isBlank(build) ? buildCommand : build.strip(),
                isBlank(output) ? outputDirectory : output.strip(),
                runtimeVersion);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
