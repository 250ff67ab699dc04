package io.miaobu.api.testkit;

import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.TaskLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link BuildContext} made of plain values, for testing a {@link io.miaobu.api.build.Builder}.
 *
 * <pre>{@code
 * var log = new RecordingTaskLog();
 * var context = TestBuildContext.of(sourceDir, plan, log).withTimeouts(Duration.ofMinutes(1), Duration.ofSeconds(5));
 * BuildOutput output = builder.build(context);
 * }</pre>
 *
 * @param sourceDirectory the source directory
 * @param plan            the plan to carry out
 * @param runner          where commands run; {@link ProcessBuildRunner} by default
 * @param environment     variables for every command; {@code CI=true} and {@code MIAOBU=true} by default
 * @param installTimeout  the install limit; 5 minutes by default
 * @param buildTimeout    the build limit; 5 minutes by default
 * @param log             the build log
 * @param globalSettings  the builder's server-wide settings; empty by default
 * @param projectSettings the builder's project settings; empty by default
 */
public record TestBuildContext(Path sourceDirectory, BuildPlan plan, BuildRunner runner,
                               Map<String, String> environment, Duration installTimeout, Duration buildTimeout,
                               TaskLog log, ConfigValues globalSettings, ConfigValues projectSettings)
        implements BuildContext {

    /** Checks that no value is missing and copies the environment. */
    public TestBuildContext {
        Objects.requireNonNull(sourceDirectory, "sourceDirectory");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runner, "runner");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(installTimeout, "installTimeout");
        Objects.requireNonNull(buildTimeout, "buildTimeout");
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(globalSettings, "globalSettings");
        Objects.requireNonNull(projectSettings, "projectSettings");
    }

    /** A context with the defaults listed on the class, running commands as child processes. */
    public static TestBuildContext of(Path sourceDirectory, BuildPlan plan, TaskLog log) {
        return new TestBuildContext(sourceDirectory, plan, new ProcessBuildRunner(),
                Map.of("CI", "true", "MIAOBU", "true"), Duration.ofMinutes(5), Duration.ofMinutes(5), log,
                ConfigValues.EMPTY, ConfigValues.EMPTY);
    }

    /** A copy with another plan. */
    public TestBuildContext withPlan(BuildPlan newPlan) {
        return new TestBuildContext(sourceDirectory, newPlan, runner, environment, installTimeout, buildTimeout, log,
                globalSettings, projectSettings);
    }

    /** A copy with other timeouts. */
    public TestBuildContext withTimeouts(Duration install, Duration build) {
        return new TestBuildContext(sourceDirectory, plan, runner, environment, install, build, log,
                globalSettings, projectSettings);
    }

    /** A copy with another environment. */
    public TestBuildContext withEnvironment(Map<String, String> newEnvironment) {
        return new TestBuildContext(sourceDirectory, plan, runner, newEnvironment, installTimeout, buildTimeout, log,
                globalSettings, projectSettings);
    }

    /** A copy with another runner. */
    public TestBuildContext withRunner(BuildRunner newRunner) {
        return new TestBuildContext(sourceDirectory, plan, newRunner, environment, installTimeout, buildTimeout, log,
                globalSettings, projectSettings);
    }

    /** A copy with other settings. */
    public TestBuildContext withSettings(ConfigValues global, ConfigValues project) {
        return new TestBuildContext(sourceDirectory, plan, runner, environment, installTimeout, buildTimeout, log,
                global, project);
    }
}
