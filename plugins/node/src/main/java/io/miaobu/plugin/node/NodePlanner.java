package io.miaobu.plugin.node;

import io.miaobu.api.build.BuildPlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** Reads a project's files (never runs anything) and proposes how to build it. */
final class NodePlanner {

    static final String STATIC = "static";
    static final String NO_FRAMEWORK = "node";

    private static final Pattern YARN_BERRY = Pattern.compile("yarn@([2-9]|\\d{2,})\\..*");

    private NodePlanner() {
    }

    static Optional<BuildPlan> plan(Path dir) {
        Path manifest = dir.resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            return Files.isRegularFile(dir.resolve("index.html"))
                    ? Optional.of(new BuildPlan(STATIC, "", "", "", ".", ""))
                    : Optional.empty();
        }
        PackageJson pkg = PackageJson.read(manifest);
        String packageManager = packageManager(dir, pkg);
        Optional<FrameworkPlan> framework = Frameworks.detect(pkg, dir);
        String build = buildCommand(pkg, packageManager, framework);
        String output = framework.map(FrameworkPlan::outputDirectory)
                .orElse(build.isEmpty() && Files.isRegularFile(dir.resolve("index.html")) ? "." : "dist");
        return Optional.of(new BuildPlan(framework.map(FrameworkPlan::id).orElse(NO_FRAMEWORK), packageManager,
                installCommand(dir, pkg, packageManager), build, output, runtimeVersion(dir, pkg)));
    }

    /** The {@code packageManager} field (Corepack's) decides; otherwise the lockfile does. */
    static String packageManager(Path dir, PackageJson pkg) {
        String declared = pkg.packageManager();
        for (String name : List.of("npm", "yarn", "pnpm")) {
            if (declared.startsWith(name + "@")) {
                return name;
            }
        }
        if (Files.exists(dir.resolve("pnpm-lock.yaml"))) {
            return "pnpm";
        }
        if (Files.exists(dir.resolve("yarn.lock"))) {
            return "yarn";
        }
        return "npm";
    }

    static String installCommand(Path dir, PackageJson pkg, String packageManager) {
        if (!pkg.hasDependencies()) {
            return "";
        }
        return switch (packageManager) {
            case "pnpm" -> Files.exists(dir.resolve("pnpm-lock.yaml")) ? "pnpm install --frozen-lockfile"
                    : "pnpm install";
            case "yarn" -> {
                if (!Files.exists(dir.resolve("yarn.lock"))) {
                    yield "yarn install";
                }
                // Yarn 2+ renamed --frozen-lockfile to --immutable
                boolean berry = YARN_BERRY.matcher(pkg.packageManager()).matches()
                        || Files.exists(dir.resolve(".yarnrc.yml"));
                yield berry ? "yarn install --immutable" : "yarn install --frozen-lockfile";
            }
            default -> Files.exists(dir.resolve("package-lock.json")) || Files.exists(dir.resolve("npm-shrinkwrap.json"))
                    ? "npm ci" : "npm install";
        };
    }

    static String buildCommand(PackageJson pkg, String packageManager, Optional<FrameworkPlan> framework) {
        List<String> scripts = framework.map(FrameworkPlan::scripts).orElse(List.of("build"));
        for (String script : scripts) {
            if (pkg.script(script).isPresent()) {
                return switch (packageManager) {
                    case "yarn" -> "yarn " + script;
                    case "pnpm" -> "pnpm run " + script;
                    default -> "npm run " + script;
                };
            }
        }
        return framework.map(FrameworkPlan::cli).filter(cli -> !cli.isEmpty())
                .map(cli -> switch (packageManager) {
                    case "yarn" -> "yarn " + cli;
                    case "pnpm" -> "pnpm exec " + cli;
                    default -> "npx " + cli;
                })
                .orElse("");
    }

    /** A version file pins the exact version to run; {@code engines.node} is only the range the project accepts. */
    static String runtimeVersion(Path dir, PackageJson pkg) {
        for (String name : List.of(".nvmrc", ".node-version")) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try {
                    Optional<String> version = Files.readAllLines(file).stream()
                            .map(String::strip)
                            .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                            .findFirst();
                    if (version.isPresent()) {
                        return version.get();
                    }
                } catch (IOException e) {
                    // unreadable: fall through to engines
                }
            }
        }
        return pkg.enginesNode();
    }
}
