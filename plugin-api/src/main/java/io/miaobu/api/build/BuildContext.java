package io.miaobu.api.build;

import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a {@link Builder} gets for one build. Provided by the host; valid for the duration of
 * {@link Builder#build} only.
 */
public interface BuildContext {

    /** The source directory: the checkout, or the project's root directory within it. Writable. */
    Path sourceDirectory();

    /** The plan to carry out, overrides applied. */
    BuildPlan plan();

    /** Where commands run. */
    BuildRunner runner();

    /** Variables for every command: the project's variables and secrets, and {@code CI=true}, {@code MIAOBU=true}. */
    Map<String, String> environment();

    /** The limit for the install command. */
    Duration installTimeout();

    /** The limit for the build command. */
    Duration buildTimeout();

    /** The build log. */
    TaskLog log();

    /** The builder's server-wide settings. */
    ConfigValues globalSettings();

    /** The builder's settings for this project. */
    ConfigValues projectSettings();

    /**
     * Tells the host that the install step succeeded, before the build command runs: the host may now keep the
     * installed dependencies for the next build (its dependency cache), before anything the build does can change
     * them. It also moves the deployment from its install stage to its build stage on the deployment page. Builders that
     * install dependencies call it once, after the install step (also when there was nothing to install); the
     * default does nothing.
     */
    default void dependenciesInstalled() {
    }
}
