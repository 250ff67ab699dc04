package io.miaobu.plugin.docker;

import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.NameParser;
import io.miaobu.api.ExtensionException;
import io.miaobu.api.build.BuildPlan;
import io.miaobu.api.build.BuildRunner;
import io.miaobu.api.build.CommandResult;
import io.miaobu.api.build.CommandSpec;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.host.HostInfo;
import io.miaobu.api.host.TaskLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.pf4j.Extension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs build commands in throwaway Docker containers: the command's working directory is bind-mounted at
 * {@code /workspace}, the plugin's {@code home} directory (npm's cache) at {@code /home/miaobu}; the command's
 * environment becomes the container's; memory, CPU, process count and network are limited; the user is never root and
 * no capabilities are kept. Every container is labelled {@code io.miaobu.managed=true} and
 * {@code io.miaobu.build=<project>/<deployment>}, and removed when its command ends, fails, times out or is cancelled.
 *
 * <p>A project with {@code .miaobu/build.Dockerfile} gets its own image, built on the build's first command (see
 * {@link ProjectImage} and {@link ProjectImageBuild}); its commands run in containers of that image, with the same
 * mounts, user and limits.
 *
 * <p>Settings arrive per build through {@link #forBuild}; {@link #run} on this instance uses the schema's defaults.
 * Containers a killed server left behind are removed on the first command for each engine, and by
 * {@link #removeOrphans}.
 */
@Extension
public final class DockerBuildRunner implements BuildRunner {

    static final String MANAGED_LABEL = "io.miaobu.managed";
    static final String BUILD_LABEL = "io.miaobu.build";
    /**
     * Which Miaobu server started a container: servers sharing an engine (several nodes, or a test next to a
     * production server) must never take each other's running builds for orphans.
     */
    static final String OWNER_LABEL = "io.miaobu.owner";

    private static final Logger LOG = LoggerFactory.getLogger(DockerBuildRunner.class);

    private final Path home;
    /**
     * The names of the containers this runner is running now. Everything else labelled managed on an engine is an
     * orphan, which lets orphans be removed while builds run. A name is added before its container is created.
     */
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** The engines whose orphans have been removed since the plugin started. */
    private final Set<String> cleanedEngines = ConcurrentHashMap.newKeySet();
    private final String owner;

    /** @param host the plugin's data directory holds {@code home/}, HOME for the commands */
    public DockerBuildRunner(HostInfo host) {
        this.home = host.dataDirectory().resolve("home");
        this.owner = ownerOf(host.dataDirectory());
    }

    /**
     * This server's owner label: its host name and data directory, hashed. The same after a restart (so a server
     * removes what it left behind), different for every other server.
     */
    static String ownerOf(java.nio.file.Path dataDirectory) {
        String hostName;
        try {
            hostName = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            hostName = "unknown-host";
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest((hostName + "|"
                    + dataDirectory.toAbsolutePath().normalize()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** This server's owner label value. */
    String owner() {
        return owner;
    }

    @Override
    public String id() {
        return "docker";
    }

    @Override
    public String displayName() {
        return "Docker container";
    }

    @Override
    public ConfigSchema globalSettings() {
        return DockerSettings.SCHEMA;
    }

    @Override
    public List<ConfigProblem> validate(ConfigValues global, ConfigValues project) {
        return DockerSettings.problems(global);
    }

    /** Runs {@code command} with the default settings; the host hands builders {@link #forBuild} instead. */
    @Override
    public CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException {
        return run(command, log, DockerSettings.DEFAULTS, adminImage(DockerSettings.DEFAULTS, ""));
    }

    /**
     * This runner with the admin's settings, for one build. Called by the host on the build thread before the build;
     * the result lives as long as the build and is not registered anywhere.
     *
     * @param globalSettings the values saved for this runner's {@link #globalSettings()}
     * @param plan           the plan being built: its {@code runtimeVersion} fills the image's {@code {node}}
     * @throws ExtensionException when the settings are not valid (saved before a check existed, or edited by hand)
     */
    public BuildRunner forBuild(ConfigValues globalSettings, BuildPlan plan) {
        DockerSettings settings = validSettings(globalSettings);
        return new Configured(this, settings, adminImage(settings, plan.runtimeVersion()));
    }

    /**
     * This runner for one build of {@code projectKey}, as {@link #forBuild(ConfigValues, BuildPlan)}, which also
     * builds the image the project describes in {@code .miaobu/build.Dockerfile} in {@code sourceDirectory} (unless
     * the admin turned project build images off) and runs the build's commands in it. The image is looked for and
     * built on the build's first command, within that command's time limit, with its output in the build log.
     *
     * @throws ExtensionException when the settings are not valid
     */
    @Override
    public BuildRunner forBuild(ConfigValues globalSettings, BuildPlan plan, Path sourceDirectory,
                                String projectKey) {
        DockerSettings settings = validSettings(globalSettings);
        ImageSource admins = adminImage(settings, plan.runtimeVersion());
        if (projectKey == null || projectKey.isBlank()) {
            return new Configured(this, settings, admins);
        }
        return new Configured(this, settings,
                new ProjectImageSource(settings, settings.imageFor(plan.runtimeVersion()), admins, sourceDirectory,
                        projectKey));
    }

    private static DockerSettings validSettings(ConfigValues globalSettings) {
        List<ConfigProblem> problems = DockerSettings.problems(globalSettings);
        if (!problems.isEmpty()) {
            ConfigProblem first = problems.get(0);
            throw new ExtensionException("The docker runner's settings are not valid (" + first.field() + ": "
                    + first.message() + "). An admin can correct them on the plugins page.");
        }
        return DockerSettings.from(globalSettings);
    }

    /** The admin's image, with {@code {node}} filled in; checked (or pulled) on every command. */
    private static ImageSource adminImage(DockerSettings settings, String runtimeVersion) {
        String image = settings.imageFor(runtimeVersion);
        return (engine, limit, log) -> {
            requireImage(engine, image, settings, limit, log);
            return image;
        };
    }

    /** {@link #removeOrphans(ConfigValues)} on the engine at the default address. */
    public int removeOrphans() {
        return removeOrphans(ConfigValues.EMPTY);
    }

    /**
     * Removes (killing them first) the containers labelled {@code io.miaobu.managed=true} with this server's
     * {@code io.miaobu.owner} that this runner is not running: those it left behind when it was killed or crashed.
     * Other servers' containers on the same engine are never touched. Safe while builds run. Called on the first command for
     * each engine; the host may call it too, for instance at start, on any thread.
     *
     * @return how many containers were removed
     * @throws ExtensionException when the engine is not reachable
     */
    public int removeOrphans(ConfigValues globalSettings) {
        try (DockerEngine engine = DockerEngine.connect(DockerSettings.dockerHost(globalSettings))) {
            cleanedEngines.add(engine.host());
            return removeOrphans(engine);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private int removeOrphans(DockerEngine engine) throws InterruptedException {
        List<Container> managed = engine.call(() -> engine.calls().listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(MANAGED_LABEL, "true", OWNER_LABEL, owner))
                .exec());
        int removed = 0;
        for (Container container : managed) {
            boolean ours = container.getNames() != null && List.of(container.getNames()).stream()
                    .anyMatch(name -> running.contains(name.startsWith("/") ? name.substring(1) : name));
            if (ours) {
                continue;
            }
            try {
                engine.call(() -> engine.calls().removeContainerCmd(container.getId()).withForce(true)
                        .withRemoveVolumes(true).exec());
                removed++;
                LOG.info("Removed orphaned build container {} ({}) from the Docker engine at {}",
                        String.join(",", container.getNames()), container.getLabels().get(BUILD_LABEL),
                        engine.host());
            } catch (NotFoundException e) {
                // removed meanwhile
            }
        }
        return removed;
    }

    CommandResult run(CommandSpec command, TaskLog log, DockerSettings settings, ImageSource images)
            throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("cancelled before the command started");
        }
        BuildUser.Server server = BuildUser.Server.current();
        BuildUser user = BuildUser.resolve(settings.user(), server);
        try (DockerEngine engine = DockerEngine.connect(settings.dockerHost())) {
            if (cleanedEngines.add(engine.host())) {
                try {
                    removeOrphans(engine);
                } catch (RuntimeException e) {
                    // the build can go on; the next command tries again
                    cleanedEngines.remove(engine.host());
                    LOG.warn("Could not remove orphaned build containers from the Docker engine at {}: {}",
                            engine.host(), DockerEngine.reason(e));
                }
            }
            String image = images.imageOn(engine, command.timeout(), log);
            prepareMounts(command.workingDirectory(), user, server, log);
            long nanoCpus = settings.nanoCpus(engineCpus(engine));
            log.info("Running in Docker: image " + image + ", user " + user.spec() + ", " + settings.memoryMb()
                    + " MB memory, " + String.format(Locale.ROOT, "%.2f", nanoCpus / 1e9) + " CPUs, network "
                    + settings.network());
            String name = containerName(command);
            running.add(name);
            try {
                return new ContainerRun(engine, image, user, settings, nanoCpus, home)
                        .run(command, log, name, Map.of(MANAGED_LABEL, "true", OWNER_LABEL, owner,
                                BUILD_LABEL, buildOf(command)));
            } finally {
                running.remove(name);
            }
        }
    }

    /**
     * HOME must exist before Docker mounts it (or Docker makes it, owned by root). The build user must be able to
     * write both mounts: with {@code auto} on a non-root server it owns them already; a root server hands them over
     * (once: what the build then writes is the build user's anyway).
     */
    private void prepareMounts(Path workingDirectory, BuildUser user, BuildUser.Server server, TaskLog log) {
        try {
            Files.createDirectories(home);
            if (!Files.isDirectory(workingDirectory)) {
                throw new ExtensionException("The working directory " + workingDirectory + " does not exist.");
            }
            for (Path mount : List.of(workingDirectory, home)) {
                if (user.owns(mount)) {
                    continue;
                }
                if (server.isRoot()) {
                    user.takeOver(mount);
                } else {
                    log.warn("Build commands run as " + user.spec() + " in Docker, but " + mount + " belongs to"
                            + " another user; they may not be able to write it. An admin can set the docker"
                            + " runner's build user to auto.");
                }
            }
        } catch (IOException e) {
            throw new ExtensionException("Could not prepare the workspace for Docker: " + e.getMessage(), e);
        }
    }

    private static void requireImage(DockerEngine engine, String image, DockerSettings settings, Duration limit,
                              TaskLog log) throws InterruptedException {
        try {
            engine.call(() -> engine.calls().inspectImageCmd(image).exec());
            return;
        } catch (NotFoundException e) {
            if (!settings.pullMissing()) {
                throw new ExtensionException("The image '" + image + "' is not on the Docker engine at "
                        + engine.host() + ", and pulling images is off. An admin can load it with 'docker load' or"
                        + " 'docker import', or allow pulling in the docker runner's settings.");
            }
        }
        log.info("Pulling image " + image);
        NameParser.ReposTag reference = NameParser.parseRepositoryTag(image);
        // as docker pull does: no tag means latest (a digest carries its own)
        String tag = reference.tag.isEmpty() && !image.contains("@") ? "latest" : reference.tag;
        var pull = engine.streams().pullImageCmd(reference.repos).withTag(tag)
                .exec(new PullImageResultCallback());
        try {
            if (!pull.awaitCompletion(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ExtensionException("Pulling image '" + image + "' took longer than the command's time"
                        + " limit.");
            }
        } catch (DockerException | DockerClientException e) {
            throw new ExtensionException("Pulling image '" + image + "' failed: " + DockerEngine.reason(e), e);
        } finally {
            try {
                pull.close();
            } catch (IOException e) {
                // the pull is over either way
            }
        }
    }

    private static int engineCpus(DockerEngine engine) throws InterruptedException {
        Integer cpus = engine.call(() -> engine.calls().infoCmd().exec()).getNCPU();
        return cpus == null ? 0 : cpus;
    }

    /** {@code my-site/42} from the variables the host gives every build command. */
    private static String buildOf(CommandSpec command) {
        String project = command.environment().getOrDefault("MIAOBU_PROJECT", "");
        String deployment = command.environment().getOrDefault("MIAOBU_DEPLOYMENT_ID", "");
        return project.isEmpty() && deployment.isEmpty() ? "unknown" : project + "/" + deployment;
    }

    /** {@code miaobu-my-site-42-1a2b3c4d}: readable in {@code docker ps}, unique per command. */
    private static String containerName(CommandSpec command) {
        String build = buildOf(command).replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^-+|-+$", "");
        build = build.substring(0, Math.min(build.length(), 60));
        String random = UUID.randomUUID().toString().substring(0, 8);
        return "miaobu-" + (build.isEmpty() || build.equals("unknown") ? "" : build + "-") + random;
    }

    /** Decides, on a connected engine, the image a command runs in; may pull or build it first. */
    @FunctionalInterface
    interface ImageSource {
        /**
         * @param limit the command's time limit, which pulling or building the image must keep too
         * @return an image the engine has
         */
        String imageOn(DockerEngine engine, Duration limit, TaskLog log) throws InterruptedException;
    }

    /**
     * A project's build image when it has {@code .miaobu/build.Dockerfile} (and the admin allows them), the admin's
     * image otherwise. Decided, and the image built, on the build's first command; its later commands reuse that.
     * Used on the build's thread only.
     */
    private static final class ProjectImageSource implements ImageSource {
        private final DockerSettings settings;
        private final String baseImage;
        private final ImageSource admins;
        private final Path sourceDirectory;
        private final String projectKey;
        private Optional<ProjectImage> project;
        private String built;

        ProjectImageSource(DockerSettings settings, String baseImage, ImageSource admins, Path sourceDirectory,
                           String projectKey) {
            this.settings = settings;
            this.baseImage = baseImage;
            this.admins = admins;
            this.sourceDirectory = sourceDirectory;
            this.projectKey = projectKey;
        }

        @Override
        public String imageOn(DockerEngine engine, Duration limit, TaskLog log) throws InterruptedException {
            if (built != null) {
                return built;
            }
            if (project == null) {
                project = ProjectImage.find(sourceDirectory, projectKey, baseImage);
                if (project.isPresent() && !settings.projectImages()) {
                    log.warn("This project has " + ProjectImage.DOCKERFILE_PATH + ", but project build images are"
                            + " off on this server: commands run in " + baseImage + ". An admin can turn them on"
                            + " in the docker runner's settings.");
                }
            }
            if (project.isEmpty() || !settings.projectImages()) {
                return admins.imageOn(engine, limit, log);
            }
            var images = new ProjectImageBuild(engine, settings, log);
            if (!images.upToDate(project.get())) {
                if (project.get().usesBaseImageArg()) {
                    // FROM ${MIAOBU_BASE_IMAGE}: the admin's image, pulled only if the admin allows it
                    admins.imageOn(engine, limit, log);
                }
                images.build(project.get(), limit);
            }
            built = project.get().tag();
            return built;
        }
    }

    /** The runner with one build's settings, as {@link #forBuild} hands it out. */
    private static final class Configured implements BuildRunner {
        private final DockerBuildRunner runner;
        private final DockerSettings settings;
        private final ImageSource images;

        Configured(DockerBuildRunner runner, DockerSettings settings, ImageSource images) {
            this.runner = runner;
            this.settings = settings;
            this.images = images;
        }

        @Override
        public String id() {
            return runner.id();
        }

        @Override
        public String displayName() {
            return runner.displayName();
        }

        @Override
        public ConfigSchema globalSettings() {
            return runner.globalSettings();
        }

        @Override
        public CommandResult run(CommandSpec command, TaskLog log) throws InterruptedException {
            return runner.run(command, log, settings, images);
        }
    }
}
