package io.miaobu.plugin.node;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildContext;
import io.miaobu.api.build.BuildOutput;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.Builder;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * Builds Node.js front-end projects (and plain static sites): detects the framework and package manager from the
 * project's files, then runs the install and build commands through the build's runner.
 */
@Extension
public final class NodeBuilder implements Builder {

    private static final String OUTPUT_HINT = " Set the output directory in the project settings.";

    public NodeBuilder() {
    }

    @Override
    public String id() {
        return "node";
    }

    @Override
    public String displayName() {
        return "Node.js";
    }

    @Override
    public Optional<BuildPlan> detect(Path sourceDirectory) {
        return NodePlanner.plan(sourceDirectory);
    }

    @Override
    public BuildOutput build(BuildContext context) throws InterruptedException {
        BuildPlan plan = context.plan();
        Path source = context.sourceDirectory().toAbsolutePath().normalize();
        // checked before anything runs: a bad setting should not cost a whole build
        Path output = resolveOutput(source, plan.outputDirectory());
        run("Install", installCommand(plan, source), context.installTimeout(), context);
        context.dependenciesInstalled();
        run("Build", plan.buildCommand(), context.buildTimeout(), context);
        requireInside(source, output, plan.outputDirectory());
        context.log().info("Output directory: " + plan.outputDirectory());
        return new BuildOutput(output);
    }

    /**
     * {@code npm ci} deletes {@code node_modules} first, so with one already there (the host restored it from its
     * dependency cache) npm is asked to confirm it instead; it finds it up to date and downloads nothing.
     */
    static String installCommand(BuildPlan plan, Path source) {
        if (plan.installCommand().equals("npm ci") && Files.isDirectory(source.resolve("node_modules"))) {
            return "npm install --prefer-offline --no-audit --no-fund";
        }
        return plan.installCommand();
    }

    private static void run(String step, String command, Duration timeout, BuildContext context)
            throws InterruptedException {
        if (command.isBlank()) {
            return;
        }
        context.log().info("Running " + step.toLowerCase(java.util.Locale.ROOT) + ": " + command);
        CommandSpec spec = CommandSpec.shell(command, context.sourceDirectory(), context.environment(), timeout);
        CommandResult result = context.runner().run(spec, context.log());
        if (result.timedOut()) {
            throw new ExtensionException(step + " command timed out after " + format(timeout) + ": " + command);
        }
        if (result.exitCode() != 0) {
            throw new ExtensionException(step + " command failed with exit code " + result.exitCode() + ": "
                    + command);
        }
    }

    private static Path resolveOutput(Path source, String configured) {
        String name = configured.isBlank() ? "." : configured.strip();
        Path relative;
        try {
            relative = Path.of(name);
        } catch (InvalidPathException e) {
            throw new ExtensionException("Output directory '" + name + "' is not a valid path." + OUTPUT_HINT);
        }
        if (relative.isAbsolute()) {
            throw new ExtensionException("Output directory '" + name + "' must be a path relative to the project."
                    + OUTPUT_HINT);
        }
        Path output = source.resolve(relative).normalize();
        if (!output.startsWith(source)) {
            throw new ExtensionException("Output directory '" + name + "' is outside the project." + OUTPUT_HINT);
        }
        return output;
    }

    /** After the build: the directory must exist and, links resolved, still be inside the project. */
    private static void requireInside(Path source, Path output, String configured) {
        if (!Files.isDirectory(output)) {
            throw new ExtensionException("Output directory '" + configured + "' was not found after the build."
                    + OUTPUT_HINT);
        }
        try {
            if (!output.toRealPath().startsWith(source.toRealPath())) {
                throw new ExtensionException("Output directory '" + configured + "' links outside the project."
                        + OUTPUT_HINT);
            }
        } catch (IOException e) {
            throw new ExtensionException("Output directory '" + configured + "' cannot be read." + OUTPUT_HINT, e);
        }
    }

    /** {@code 90s} as {@code 1m 30s}: how people write timeouts, unlike {@code PT1M30S}. */
    static String format(Duration duration) {
        if (duration.toSeconds() == 0) {
            return duration.toMillis() + "ms";
        }
        StringBuilder text = new StringBuilder();
        long hours = duration.toHours();
        int minutes = duration.toMinutesPart();
        int seconds = duration.toSecondsPart();
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(text.length() > 0 ? " " : "").append(minutes).append('m');
        }
        if (seconds > 0) {
            text.append(text.length() > 0 ? " " : "").append(seconds).append('s');
        }
        return text.toString();
    }
}
