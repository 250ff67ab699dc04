package io.miaobu.plugin.localstorage;

import io.miaobu.api.ExtensionException;
import io.miaobu.api.config.ConfigValues;
import io.miaobu.api.deploy.ActivationResult;
import io.miaobu.api.deploy.DeployTarget;
import io.miaobu.api.deploy.PublishContext;
import io.miaobu.api.deploy.PublishedDeployment;
import io.miaobu.api.deploy.SiteDeployment;
import io.miaobu.api.host.HostInfo;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.pf4j.Extension;

/**
 * Publishes sites to the local disk, under {@link HostInfo#sitesDirectory()}, for the core's site server:
 * <pre>
 * sites/
 *   .objects/ab/cdef…            every distinct file once, named by its SHA-256
 *   &lt;site&gt;/deployments/&lt;key&gt;/    one immutable tree per deployment, of hard links to the objects
 *   &lt;site&gt;/current              symlink to deployments/&lt;key&gt;: the live deployment
 * </pre>
 * A deployment appears under its name only once complete (built in {@code deployments/.<key>.tmp-*} and renamed),
 * and going live is one atomic rename of a new symlink over {@code current}.
 */
@Extension
public final class LocalStorageDeployTarget implements DeployTarget {

    private static final Pattern SITE_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)?");
    // one path segment: a key with a slash could nest one deployment inside another's immutable tree
    private static final Pattern DEPLOYMENT_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*");
    private static final Set<String> RESERVED = Set.of(SiteLayout.DEPLOYMENTS, SiteLayout.CURRENT);

    private final Path sites;
    private final ContentStore store;

    public LocalStorageDeployTarget(HostInfo host) {
        this.sites = host.sitesDirectory().toAbsolutePath().normalize();
        this.store = new ContentStore(sites.resolve(".objects"));
    }

    @Override
    public String id() {
        return "local-storage";
    }

    @Override
    public String displayName() {
        return "Local disk";
    }

    @Override
    public PublishedDeployment publish(PublishContext context) throws InterruptedException {
        SiteLayout site = site(context.siteKey());
        String key = deploymentKey(context.deploymentKey());
        Path output = context.outputDirectory();
        if (!Files.isDirectory(output)) {
            throw new ExtensionException("The build output directory does not exist.");
        }
        Path target = site.deployment(key);
        Path staging = site.deployments().resolve("." + key + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(site.deployments());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new ExtensionException("Deployment " + key + " of " + context.siteKey()
                        + " has already been published.");
            }
            Files.createDirectory(staging);
            Totals totals = copyTree(output, staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(site.deployments());
            context.log().info("Published " + totals.files() + " files (" + totals.bytes() + " bytes, "
                    + totals.written() + " new)");
            return new PublishedDeployment(key, target.toUri(), totals.files(), totals.bytes(), totals.written());
        } catch (InterruptedIOException | ClosedByInterruptException e) {
            Thread.interrupted();
            deleteQuietly(staging);
            throw new InterruptedException("publishing " + key + " was cancelled");
        } catch (IOException e) {
            deleteQuietly(staging);
            throw new ExtensionException("Publishing deployment " + key + " to the local disk failed: " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(staging);
            throw e;
        }
    }

    @Override
    public ActivationResult activate(SiteDeployment deployment) {
        SiteLayout site = site(deployment.siteKey());
        String key = deploymentKey(deployment.deployment().storageRef());
        Path target = site.deployment(key);
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ExtensionException("Deployment " + key + " of " + deployment.siteKey()
                    + " is missing from the local disk, so it cannot go live.");
        }
        Optional<String> previous = liveKey(site);
        Path link = site.root().resolve(SiteLayout.CURRENT + ".tmp-" + UUID.randomUUID());
        try {
            // relative, so the sites directory can be moved or mounted elsewhere
            Files.createSymbolicLink(link, Path.of(SiteLayout.DEPLOYMENTS, key));
            Files.move(link, site.current(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(site.root());
        } catch (IOException e) {
            deleteQuietly(link);
            throw new ExtensionException("Deployment " + key + " of " + deployment.siteKey()
                    + " could not be made live: " + e, e);
        }
        deployment.log().info("Deployment " + key + " is live");
        if (previous.isEmpty() || previous.get().equals(key)) {
            return ActivationResult.NOTHING_TO_PURGE;
        }
        try {
            return new ActivationResult(changedPaths(site.deployment(previous.get()), target));
        } catch (IOException e) {
            deployment.log().warn("Could not tell which paths changed since deployment " + previous.get());
            return ActivationResult.NOTHING_TO_PURGE;
        }
    }

    @Override
    public void delete(SiteDeployment deployment) {
        SiteLayout site = site(deployment.siteKey());
        String key = deploymentKey(deployment.deployment().storageRef());
        if (liveKey(site).filter(key::equals).isPresent()) {
            throw new ExtensionException("Deployment " + key + " is live. Make another deployment live before "
                    + "deleting it.");
        }
        try {
            Path target = site.deployment(key);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                // out of sight in one step, so nobody serves a half-deleted tree
                Path doomed = site.deployments().resolve("." + key + ".deleting-" + UUID.randomUUID());
                Files.move(target, doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(doomed);
            }
            if (Files.isDirectory(site.deployments())) {
                try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(site.deployments(), "." + key + ".*")) {
                    for (Path leftover : leftovers) {
                        deleteRecursively(leftover);
                    }
                }
            }
            int collected = store.collectGarbage();
            deployment.log().info("Deleted deployment " + key + "; " + collected
                    + " files no other deployment uses were removed");
        } catch (IOException e) {
            throw new ExtensionException("Deployment " + key + " could not be deleted from the local disk: " + e, e);
        }
    }

    @Override
    public void removeSite(String siteKey, ConfigValues globalSettings, ConfigValues projectSettings) {
        SiteLayout site = site(siteKey);
        try {
            if (Files.exists(site.root(), LinkOption.NOFOLLOW_LINKS)) {
                // out of sight in one step, then deleted; previews below the site go with it
                Path doomed = sites.resolve(".removing-" + UUID.randomUUID());
                Files.move(site.root(), doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteRecursively(doomed);
            }
            store.collectGarbage();
        } catch (IOException e) {
            throw new ExtensionException("Site " + siteKey + " could not be removed from the local disk: " + e, e);
        }
    }

    /**
     * Copies the build output into {@code staging}, following links that stay inside the output (their targets are
     * published as regular files) and refusing any that lead outside it.
     */
    private Totals copyTree(Path output, Path staging) throws IOException {
        Path root = output.toRealPath();
        long[] totals = new long[3];
        Files.walkFileTree(output, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                        stopIfCancelled();
                        requireInside(root, output, dir);
                        Files.createDirectories(staging.resolve(output.relativize(dir).toString()));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        stopIfCancelled();
                        String name = output.relativize(file).toString();
                        if (attrs.isSymbolicLink()) {
                            throw new ExtensionException("'" + name + "' in the build output is a symbolic link to "
                                    + "a file that does not exist.");
                        }
                        if (!attrs.isRegularFile()) {
                            throw new ExtensionException("'" + name + "' in the build output is not a regular file.");
                        }
                        requireInside(root, output, file);
                        totals[2] += store.place(file, staging.resolve(name));
                        totals[0]++;
                        totals[1] += attrs.size();
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof FileSystemLoopException) {
                            throw new ExtensionException("'" + output.relativize(file) + "' in the build output is "
                                    + "a symbolic link that loops back to a directory containing it.");
                        }
                        throw e;
                    }
                });
        return new Totals(totals[0], totals[1], totals[2]);
    }

    private static void requireInside(Path root, Path output, Path path) throws IOException {
        if (Files.isSymbolicLink(path) && !path.toRealPath().startsWith(root)) {
            throw new ExtensionException("'" + output.relativize(path) + "' in the build output is a symbolic link "
                    + "to a file outside the output directory; it was not published.");
        }
    }

    /** Site paths whose content differs: a file that kept its content is the same stored object in both trees. */
    private static Set<String> changedPaths(Path before, Path after) throws IOException {
        Map<String, Object> old = fileKeys(before);
        Map<String, Object> current = fileKeys(after);
        Set<String> changed = new HashSet<>();
        Set<String> all = new HashSet<>(old.keySet());
        all.addAll(current.keySet());
        for (String path : all) {
            if (!Objects.equals(old.get(path), current.get(path))) {
                changed.add(path);
                // the directory URL serves its index.html
                if (path.equals("/index.html") || path.endsWith("/index.html")) {
                    changed.add(path.substring(0, path.length() - "index.html".length()));
                }
            }
        }
        return changed;
    }

    private static Map<String, Object> fileKeys(Path tree) throws IOException {
        Map<String, Object> keys = new HashMap<>();
        if (!Files.isDirectory(tree)) {
            return keys;
        }
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                keys.put("/" + tree.relativize(file).toString().replace('\\', '/'), attrs.fileKey());
                return FileVisitResult.CONTINUE;
            }
        });
        return keys;
    }

    private static Optional<String> liveKey(SiteLayout site) {
        try {
            Path link = Files.readSymbolicLink(site.current());
            return link.getParent() != null && link.getParent().toString().equals(SiteLayout.DEPLOYMENTS)
                    ? Optional.of(link.getFileName().toString()) : Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private SiteLayout site(String siteKey) {
        if (siteKey == null || !SITE_KEY.matcher(siteKey).matches()
                || siteKey.contains("/") && RESERVED.contains(siteKey.substring(siteKey.indexOf('/') + 1))) {
            throw new ExtensionException("'" + siteKey + "' is not a valid site key: use lower-case letters, digits "
                    + "and '-', and at most one '/'.");
        }
        return new SiteLayout(sites.resolve(siteKey));
    }

    private static String deploymentKey(String key) {
        if (key == null || !DEPLOYMENT_KEY.matcher(key).matches()) {
            throw new ExtensionException("'" + key + "' is not a valid deployment key: use lower-case letters, "
                    + "digits and '-'.");
        }
        return key;
    }

    private static void stopIfCancelled() throws InterruptedIOException {
        if (Thread.interrupted()) {
            throw new InterruptedIOException("cancelled");
        }
    }

    /** Makes a rename in {@code dir} durable before reporting success. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system can sync a directory; the rename itself has happened
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException e) {
            // a leftover .tmp is invisible to the site server and removed by delete()
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private record Totals(long files, long bytes, long written) {
    }

    /** Where one site's files live. */
    private record SiteLayout(Path root) {

        static final String DEPLOYMENTS = "deployments";
        static final String CURRENT = "current";

        Path deployments() {
            return root.resolve(DEPLOYMENTS);
        }

        Path deployment(String key) {
            return deployments().resolve(key);
        }

        Path current() {
            return root.resolve(CURRENT);
        }
    }
}
