package io.miaobu.plugin.docker;

import io.miaobu.api.config.ConfigField;
import io.miaobu.api.config.ConfigFieldType;
import io.miaobu.api.config.ConfigProblem;
import io.miaobu.api.config.ConfigSchema;
import io.miaobu.api.config.ConfigValues;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The docker runner's server-wide settings, read from the admin's saved values.
 *
 * @param dockerHost  where the engine listens: {@code unix:///path} or {@code tcp://host:port} (no TLS)
 * @param image       the image commands run in; {@code {node}} stands for the project's Node major version
 * @param memoryMb    the container's memory limit; swap is not allowed on top of it
 * @param cpus        how many CPUs' worth of time the container may use, e.g. {@code 1.5}
 * @param network     {@code bridge} (the engine's default network, with internet access) or {@code none}
 * @param user        {@code auto} or a numeric {@code uid:gid} that is not root
 * @param pullMissing whether an image missing from the engine is pulled from its registry
 * @param projectImages whether a project's {@code .miaobu/build.Dockerfile} is built and its commands run in that image
 * @param projectImagesKept how many of a project's build images stay on the engine, the newest first
 */
record DockerSettings(String dockerHost, String image, long memoryMb, BigDecimal cpus, String network, String user,
                      boolean pullMissing, boolean projectImages, int projectImagesKept) {

    static final String DOCKER_HOST = "docker-host";
    static final String IMAGE = "image";
    static final String MEMORY_MB = "memory-mb";
    static final String CPUS = "cpus";
    static final String NETWORK = "network";
    static final String USER = "user";
    static final String PULL_MISSING = "pull-missing-images";
    static final String PROJECT_IMAGES = "project-images";
    static final String PROJECT_IMAGES_KEPT = "project-images-kept";

    static final String AUTO_USER = "auto";
    /** Node's own images name the user with uid 1000 {@code node}; it is also the first user on most Linux hosts. */
    static final String UNPRIVILEGED_FALLBACK = "1000:1000";
    /** Docker refuses less. */
    private static final long MIN_MEMORY_MB = 6;
    private static final int MAX_PROJECT_IMAGES_KEPT = 100;
    /** Used for {@code {node}} when the project names no Node version: a tag every official node image has. */
    private static final String NODE_WHEN_UNKNOWN = "lts";

    private static final Pattern UID_GID = Pattern.compile("(\\d{1,10})(?::(\\d{1,10}))?");
    private static final Pattern IMAGE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@{}-]*");
    private static final Pattern NODE_MAJOR = Pattern.compile("(\\d+)");

    static final ConfigSchema SCHEMA = ConfigSchema.of(
            ConfigField.string(DOCKER_HOST, "Docker engine",
                            "Where the Docker engine listens: unix:///var/run/docker.sock, or tcp://host:2375 (no TLS)."
                                    + " It must see the server's workspaces at the same paths, so it runs on this"
                                    + " machine.")
                    .withDefault("unix:///var/run/docker.sock").asRequired(),
            ConfigField.string(IMAGE, "Image",
                            "The image build commands run in. {node} is replaced by the Node major version the project"
                                    + " asks for (engines or .nvmrc), or 'lts' when it asks for none, e.g."
                                    + " node:{node}-alpine.")
                    .withDefault("node:20-alpine").asRequired(),
            new ConfigField(MEMORY_MB, "Memory limit (MB)",
                    "Memory for one build container, swap included. A build that needs more is killed by the kernel.",
                    ConfigFieldType.INTEGER, "2048", true, List.of()),
            ConfigField.string(CPUS, "CPU limit",
                            "How many CPUs one build container may keep busy; fractions such as 1.5 are allowed."
                                    + " More than the engine has is reduced to what it has.")
                    .withDefault("2").asRequired(),
            new ConfigField(NETWORK, "Network",
                    "bridge: builds reach the internet (npm install needs a registry). none: no network at all.",
                    ConfigFieldType.CHOICE, "bridge", true, List.of("bridge", "none")),
            ConfigField.string(USER, "Build user",
                            "uid:gid the commands run as in the container. auto: the server's own user, so that"
                                    + " build output stays the server's; 1000:1000 when the server runs as root."
                                    + " Root (uid 0) is refused.")
                    .withDefault(AUTO_USER).asRequired(),
            new ConfigField(PULL_MISSING, "Pull missing images",
                    "Pull an image the engine does not have from its registry. Off: load images with docker load.",
                    ConfigFieldType.BOOLEAN, "false", false, List.of()),
            new ConfigField(PROJECT_IMAGES, "Project build images",
                    "Build the image a project describes in .miaobu/build.Dockerfile (in its root directory) before its"
                            + " first command, and run its commands in that image. The engine's layer cache makes"
                            + " rebuilds fast; an unchanged file is not built again. Off: every project uses the image"
                            + " above.",
                    ConfigFieldType.BOOLEAN, "true", false, List.of()),
            new ConfigField(PROJECT_IMAGES_KEPT, "Build images kept per project",
                    "After a project's build image is built, its older build images beyond this many (the newest"
                            + " first, the new one included) are removed from the engine.",
                    ConfigFieldType.INTEGER, "2", true, List.of()));

    /** The schema's defaults: what the runner uses when the host hands it no settings. */
    static final DockerSettings DEFAULTS = from(ConfigValues.EMPTY);

    /** Reads saved values, falling back to the schema's defaults; call {@link #problems} first for a clear message. */
    static DockerSettings from(ConfigValues values) {
        return new DockerSettings(
                dockerHost(values),
                value(values, IMAGE).strip(),
                Long.parseLong(value(values, MEMORY_MB).strip()),
                new BigDecimal(value(values, CPUS).strip()),
                value(values, NETWORK).strip(),
                value(values, USER).strip().toLowerCase(Locale.ROOT),
                Boolean.parseBoolean(value(values, PULL_MISSING)),
                Boolean.parseBoolean(value(values, PROJECT_IMAGES)),
                Integer.parseInt(value(values, PROJECT_IMAGES_KEPT).strip()));
    }

    /** Only the engine's address, which {@link #from} would reject along with any other bad value. */
    static String dockerHost(ConfigValues values) {
        return value(values, DOCKER_HOST).strip();
    }

    /** What is wrong with these values, beyond what the host checks against the schema. */
    static List<ConfigProblem> problems(ConfigValues values) {
        var problems = new ArrayList<ConfigProblem>();
        String host = dockerHost(values);
        try {
            URI uri = URI.create(host);
            boolean unix = "unix".equals(uri.getScheme()) && uri.getPath() != null && uri.getPath().startsWith("/");
            boolean tcp = "tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0;
            if (!unix && !tcp) {
                problems.add(new ConfigProblem(DOCKER_HOST,
                        "Use unix:///path/to/docker.sock or tcp://host:port."));
            }
        } catch (IllegalArgumentException e) {
            problems.add(new ConfigProblem(DOCKER_HOST, "Not a valid address: use unix:///path/to/docker.sock or"
                    + " tcp://host:port."));
        }
        if (!IMAGE_NAME.matcher(value(values, IMAGE).strip()).matches()) {
            problems.add(new ConfigProblem(IMAGE, "Not an image name, e.g. node:20-alpine or node:{node}-alpine."));
        }
        try {
            if (Long.parseLong(value(values, MEMORY_MB).strip()) < MIN_MEMORY_MB) {
                problems.add(new ConfigProblem(MEMORY_MB, "Docker needs at least " + MIN_MEMORY_MB + " MB."));
            }
        } catch (NumberFormatException e) {
            problems.add(new ConfigProblem(MEMORY_MB, "A whole number of megabytes, e.g. 2048."));
        }
        try {
            BigDecimal cpus = new BigDecimal(value(values, CPUS).strip());
            if (cpus.compareTo(new BigDecimal("0.01")) < 0) {
                problems.add(new ConfigProblem(CPUS, "At least 0.01."));
            }
        } catch (NumberFormatException e) {
            problems.add(new ConfigProblem(CPUS, "A number of CPUs, e.g. 2 or 1.5."));
        }
        String network = value(values, NETWORK).strip();
        if (!network.equals("bridge") && !network.equals("none")) {
            problems.add(new ConfigProblem(NETWORK, "bridge or none."));
        }
        String user = value(values, USER).strip().toLowerCase(Locale.ROOT);
        if (!user.equals(AUTO_USER)) {
            Matcher m = UID_GID.matcher(user);
            if (!m.matches()) {
                problems.add(new ConfigProblem(USER, "auto, or numbers as uid:gid, e.g. 1000:1000."));
            } else if (Long.parseLong(m.group(1)) == 0) {
                problems.add(new ConfigProblem(USER, "Builds never run as root (uid 0)."));
            }
        }
        try {
            int kept = Integer.parseInt(value(values, PROJECT_IMAGES_KEPT).strip());
            if (kept < 1 || kept > MAX_PROJECT_IMAGES_KEPT) {
                problems.add(new ConfigProblem(PROJECT_IMAGES_KEPT, "From 1 to " + MAX_PROJECT_IMAGES_KEPT
                        + ": the image a build runs in is always kept."));
            }
        } catch (NumberFormatException e) {
            problems.add(new ConfigProblem(PROJECT_IMAGES_KEPT, "A whole number, e.g. 2."));
        }
        return problems;
    }

    /** The image for a project that asks for {@code runtimeVersion} ({@code 20}, {@code >=18}, {@code v20.11.1}, ...). */
    String imageFor(String runtimeVersion) {
        if (!image.contains("{node}")) {
            return image.strip();
        }
        Matcher major = NODE_MAJOR.matcher(runtimeVersion == null ? "" : runtimeVersion);
        return image.strip().replace("{node}", major.find() ? major.group(1) : NODE_WHEN_UNKNOWN);
    }

    /** {@link #cpus} as Docker's nano-CPUs, at most {@code available} whole CPUs. */
    long nanoCpus(int available) {
        BigDecimal limit = available > 0 ? cpus.min(BigDecimal.valueOf(available)) : cpus;
        return limit.movePointRight(9).longValue();
    }

    long memoryBytes() {
        return memoryMb * 1024 * 1024;
    }

    private static String value(ConfigValues values, String name) {
        return values.get(name).orElseGet(() -> SCHEMA.field(name).orElseThrow().defaultValue());
    }
}
