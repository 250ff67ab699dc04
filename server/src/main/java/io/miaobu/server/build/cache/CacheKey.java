package io.miaobu.server.build.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which {@link DependencyCache} entry a build's installed dependencies belong to. Two builds share an entry only when
 * they are of the same project and have byte-identical lockfiles, the same Node version, package manager and root
 * directory: then the package manager would install the same tree.
 *
 * @param projectId      entries are kept per project, so that one project's can be cleared
 * @param digest         hex SHA-256 over the lockfile's bytes and the other fields; empty when there is no lockfile
 * @param lockfile       the lockfile's name ({@code package-lock.json}, ...), or empty: then nothing is cached
 * @param packageManager {@code npm}, {@code yarn} or {@code pnpm}
 * @param nodeVersion    the Node version that runs the install, as given (its major is enough)
 * @param rootDirectory  the project's directory within the repository, empty for the repository's root
 * @param directories    what is cached, relative to the project directory: {@code node_modules}, and pnpm's store
 *                       when the project configures it inside itself
 */
public record CacheKey(long projectId, String digest, String lockfile, String packageManager, String nodeVersion,
                       String rootDirectory, List<String> directories) {

    static final String NODE_MODULES = "node_modules";

    private static final Pattern NPMRC_STORE_DIR = Pattern.compile("^\\s*store-dir\\s*=\\s*(.+?)\\s*$");
    private static final Pattern WORKSPACE_STORE_DIR =
            Pattern.compile("^storeDir\\s*:\\s*['\"]?(.+?)['\"]?\\s*$");
    private static final Pattern NODE_MAJOR = Pattern.compile("^v?(\\d+)(\\..*)?$");

    public CacheKey {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(lockfile, "lockfile");
        Objects.requireNonNull(packageManager, "packageManager");
        Objects.requireNonNull(nodeVersion, "nodeVersion");
        Objects.requireNonNull(rootDirectory, "rootDirectory");
        directories = List.copyOf(directories);
    }

    /**
     * The key for a project about to be installed. Reads the lockfile that the package manager uses (for npm
     * {@code npm-shrinkwrap.json} before {@code package-lock.json}, for yarn {@code yarn.lock}, for pnpm
     * {@code pnpm-lock.yaml}); without one, or with an unknown package manager, the key is not {@link #cacheable()}.
     *
     * @param projectDirectory the directory the install runs in (the checkout's root directory)
     * @param nodeVersion      e.g. {@code 20}; see {@link #nodeMajor(String)}
     */
    public static CacheKey of(long projectId, Path projectDirectory, String rootDirectory, String packageManager,
                              String nodeVersion) {
        String manager = packageManager == null ? "" : packageManager.strip().toLowerCase(Locale.ROOT);
        String node = nodeVersion == null ? "" : nodeVersion.strip();
        String root = normaliseRoot(rootDirectory);
        Optional<Path> lockfile = lockfile(projectDirectory, manager);
        if (lockfile.isEmpty()) {
            return new CacheKey(projectId, "", "", manager, node, root, List.of());
        }
        byte[] lock;
        try {
            lock = Files.readAllBytes(lockfile.get());
        } catch (IOException e) {
            // the install will say what is wrong with it; the cache just stays out of the way
            return new CacheKey(projectId, "", "", manager, node, root, List.of());
        }
        List<String> directories = new ArrayList<>();
        directories.add(NODE_MODULES);
        if (manager.equals("pnpm")) {
            pnpmStoreInside(projectDirectory).ifPresent(directories::add);
        }
        MessageDigest sha256 = sha256();
        field(sha256, "miaobu-dependency-cache-1".getBytes(StandardCharsets.UTF_8));
        field(sha256, lockfile.get().getFileName().toString().getBytes(StandardCharsets.UTF_8));
        field(sha256, lock);
        field(sha256, node.getBytes(StandardCharsets.UTF_8));
        field(sha256, manager.getBytes(StandardCharsets.UTF_8));
        field(sha256, root.getBytes(StandardCharsets.UTF_8));
        field(sha256, String.join("\0", directories).getBytes(StandardCharsets.UTF_8));
        return new CacheKey(projectId, HexFormat.of().formatHex(sha256.digest()),
                lockfile.get().getFileName().toString(), manager, node, root, directories);
    }

    /** {@code v20.11.1} (what {@code node --version} prints) or {@code 20.11.1} as {@code 20}; anything else as is. */
    public static String nodeMajor(String version) {
        String value = version == null ? "" : version.strip();
        Matcher matcher = NODE_MAJOR.matcher(value);
        return matcher.matches() ? matcher.group(1) : value;
    }

    /** False when the project has no lockfile: then the install is not repeatable and nothing is cached. */
    public boolean cacheable() {
        return !digest.isEmpty();
    }

    private static Optional<Path> lockfile(Path dir, String packageManager) {
        List<String> names = switch (packageManager) {
            case "npm" -> List.of("npm-shrinkwrap.json", "package-lock.json");
            case "yarn" -> List.of("yarn.lock");
            case "pnpm" -> List.of("pnpm-lock.yaml");
            default -> List.of();
        };
        return names.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst();
    }

    /**
     * pnpm keeps its store under HOME (shared by all builds) unless told otherwise; a store configured inside the
     * project would be empty in every fresh checkout, so it is cached with {@code node_modules}.
     */
    private static Optional<String> pnpmStoreInside(Path dir) {
        Optional<String> configured = firstMatch(dir.resolve(".npmrc"), NPMRC_STORE_DIR)
                .or(() -> firstMatch(dir.resolve("pnpm-workspace.yaml"), WORKSPACE_STORE_DIR));
        // ~ and ${VAR} are expanded by pnpm, to somewhere outside the project in practice
        if (configured.isEmpty() || configured.get().startsWith("~") || configured.get().contains("$")) {
            return Optional.empty();
        }
        try {
            Path base = dir.toAbsolutePath().normalize();
            Path store = base.resolve(configured.get()).normalize();
            if (!store.startsWith(base) || store.equals(base) || store.startsWith(base.resolve(NODE_MODULES))) {
                return Optional.empty();
            }
            return Optional.of(base.relativize(store).toString());
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> firstMatch(Path file, Pattern pattern) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                Matcher matcher = pattern.matcher(line);
                if (matcher.matches()) {
                    return Optional.of(matcher.group(1));
                }
            }
        } catch (IOException e) {
            // unreadable config: pnpm will complain about it itself
        }
        return Optional.empty();
    }

    private static String normaliseRoot(String rootDirectory) {
        String root = rootDirectory == null ? "" : rootDirectory.strip();
        while (root.startsWith("./")) {
            root = root.substring(2);
        }
        while (root.endsWith("/")) {
            root = root.substring(0, root.length() - 1);
        }
        return root.equals(".") ? "" : root;
    }

    /** Length-prefixed, so that no two different sets of fields hash the same bytes. */
    private static void field(MessageDigest digest, byte[] value) {
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(value.length).array());
        digest.update(value);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }
}
