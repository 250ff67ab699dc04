package io.miaobu.api.build;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.MiaobuExtension;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns a checked-out workspace into a directory of files to publish.
 *
 * <p>{@link #detect} is called on a request thread when a project is created or analysed, and on the build thread
 * before each build; {@link #build} on the build thread. Both may block. The host applies the user's overrides to the
 * detected plan before building.
 */
public interface Builder extends MiaobuExtension {

    /**
     * Proposes a plan for the sources in {@code sourceDirectory}, reading files only (never running anything).
     *
     * @return a plan, or empty when this builder does not recognise the project
     */
    Optional<BuildPlan> detect(Path sourceDirectory);

    /**
     * Runs the plan through {@link BuildContext#runner()}: install, then build, each with its timeout.
     *
     * @return the output directory, which must exist
     * @throws ExtensionException   when a command fails or times out, or the output directory is missing — with
     *                              the reason in words (the command's output is already in the log)
     * @throws InterruptedException when the build is cancelled
     */
    BuildOutput build(BuildContext context) throws InterruptedException;
}
