package io.miaobu.server.site;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.jetty.http.DateGenerator;

/**
 * What the site server knows about deployment directories: for each request path, the file it maps to (or a redirect,
 * or a refusal), with small files held in memory.
 *
 * <p>Deployments are immutable and go-live swaps the root, so a resolved path is trusted for {@link #ttlNanos} before
 * it is checked against the disk again (the idea of nginx's {@code open_file_cache_valid}); a file edited in place is
 * picked up within that time. Memory is bounded: file contents count against {@code maxBytes}, each deployment holds
 * at most {@code maxEntriesPerDeployment} paths, misses are never cached, and deployments nobody asked for in a while
 * are dropped.
 */
final class FileCache {

    static final String INDEX = "index.html";

    /** A cached outcome of resolving one request path; re-checked against the disk once it is older than the TTL. */
    abstract static sealed class Target permits StaticFile, DirectoryRedirect, OutsideRoot {
        volatile long checkedAt;

        Target(long checkedAt) {
            this.checkedAt = checkedAt;
        }

        long memory() {
            return 0;
        }
    }

    /** The path names a directory but lacks the trailing slash. */
    static final class DirectoryRedirect extends Target {
        DirectoryRedirect(long checkedAt) {
            super(checkedAt);
        }
    }

    /** The path exists but resolves (through a symlink) to somewhere outside the deployment. */
    static final class OutsideRoot extends Target {
        OutsideRoot(long checkedAt) {
            super(checkedAt);
        }
    }

    private static final long IDLE_EVICTION_NANOS = TimeUnit.MINUTES.toNanos(10);
    private static final long PRESSURE_EVICTION_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long USE_STAMP_GRANULARITY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ConcurrentHashMap<Path, Deployment> deployments = new ConcurrentHashMap<>();
    private final AtomicLong usedBytes = new AtomicLong();
    private final long maxBytes;
    private final long maxFileBytes;
    private final int maxEntriesPerDeployment;
    private final long ttlNanos;

    FileCache(long maxBytes, long maxFileBytes, int maxEntriesPerDeployment, long ttlNanos) {
        this.maxBytes = maxBytes;
        this.maxFileBytes = maxFileBytes;
        this.maxEntriesPerDeployment = maxEntriesPerDeployment;
        this.ttlNanos = ttlNanos;
    }

    /** The deployment rooted at {@code root}, or null when that directory does not exist. */
    Deployment deployment(Path root, long now) {
        Deployment deployment = deployments.get(root);
        if (deployment == null) {
            Path realRoot;
            try {
                realRoot = root.toRealPath();
            } catch (IOException | SecurityException e) {
                return null;
            }
            if (!Files.isDirectory(realRoot)) {
                return null;
            }
            evictIdleSince(now - IDLE_EVICTION_NANOS);
            deployment = deployments.computeIfAbsent(root, r -> new Deployment(realRoot, now));
        }
        if (now - deployment.lastUsed > USE_STAMP_GRANULARITY_NANOS) {
            deployment.lastUsed = now;
        }
        return deployment;
    }

    long usedBytes() {
        return usedBytes.get();
    }

    private void evictIdleSince(long threshold) {
        deployments.values().removeIf(d -> {
            if (d.lastUsed - threshold < 0) {
                d.entries.values().forEach(t -> release(t.memory()));
                return true;
            }
            return false;
        });
    }

    private boolean reserve(long bytes, long now) {
        if (tryReserve(bytes)) {
            return true;
        }
        evictIdleSince(now - PRESSURE_EVICTION_NANOS);
        return tryReserve(bytes);
    }

    private boolean tryReserve(long bytes) {
        while (true) {
            long used = usedBytes.get();
            if (used + bytes > maxBytes) {
                return false;
            }
            if (usedBytes.compareAndSet(used, used + bytes)) {
                return true;
            }
        }
    }

    private void release(long bytes) {
        if (bytes != 0) {
            usedBytes.addAndGet(-bytes);
        }
    }

    /** One deployment directory and the request paths resolved inside it. */
    final class Deployment {
        final Path realRoot;
        final ConcurrentHashMap<String, Target> entries = new ConcurrentHashMap<>();
        volatile long lastUsed;

        Deployment(Path realRoot, long now) {
            this.realRoot = realRoot;
            this.lastUsed = now;
        }

        /**
         * Resolves a request path: decoded, starting with '/', without dot segments, empty segments, backslashes or
         * NULs (the caller has checked). Returns null when nothing is there.
         */
        Target resolve(String path, long now) {
            Target cached = entries.get(path);
            if (cached != null && now - cached.checkedAt < ttlNanos) {
                return cached;
            }
            Target fresh;
            try {
                fresh = load(path, cached, now);
            } catch (IOException | InvalidPathException | SecurityException e) {
                fresh = null;
            }
            if (fresh == cached) {
                return fresh;
            }
            if (fresh == null) {
                if (cached != null && entries.remove(path, cached)) {
                    release(cached.memory());
                }
                return null;
            }
            if (cached != null || entries.size() < maxEntriesPerDeployment) {
                Target replaced = entries.put(path, fresh);
                if (replaced != null) {
                    release(replaced.memory());
                }
            } else {
                release(fresh.memory());
            }
            return fresh;
        }

        private Target load(String path, Target previous, long now) throws IOException {
            String relative = path.substring(1);
            boolean trailingSlash = relative.endsWith("/");
            if (trailingSlash) {
                relative = relative.substring(0, relative.length() - 1);
            }
            Path candidate = relative.isEmpty() ? realRoot : realRoot.resolve(relative);
            if (!candidate.startsWith(realRoot)) {
                return new OutsideRoot(now);
            }
            Path real = realPathIfExists(candidate);
            if (real == null) {
                return null;
            }
            if (!real.startsWith(realRoot)) {
                return previous instanceof OutsideRoot ? touch(previous, now) : new OutsideRoot(now);
            }
            BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
            String name;
            if (attributes.isDirectory()) {
                if (!trailingSlash && !relative.isEmpty()) {
                    return previous instanceof DirectoryRedirect ? touch(previous, now) : new DirectoryRedirect(now);
                }
                real = realPathIfExists(real.resolve(INDEX));
                if (real == null) {
                    return null;
                }
                if (!real.startsWith(realRoot)) {
                    return previous instanceof OutsideRoot ? touch(previous, now) : new OutsideRoot(now);
                }
                attributes = Files.readAttributes(real, BasicFileAttributes.class);
                name = INDEX;
            } else if (trailingSlash) {
                return null;
            } else {
                name = candidate.getFileName().toString();
            }
            if (!attributes.isRegularFile()) {
                return null;
            }
            return staticFile(real, name, attributes, previous instanceof StaticFile p ? p : null, now);
        }

        private Target touch(Target previous, long now) {
            previous.checkedAt = now;
            return previous;
        }

        private StaticFile staticFile(Path real, String name, BasicFileAttributes attributes, StaticFile previous,
                                      long now) throws IOException {
            String contentType = MediaTypes.contentType(name);
            String cacheControl = MediaTypes.cacheControl(name, contentType);
            Sibling brotli = sibling(real, ".br");
            Sibling gzip = sibling(real, ".gz");
            if (previous != null
                    && previous.sameAs(real, attributes.size(), millis(attributes), attributes.fileKey())
                    && Sibling.same(previous.brotli, brotli) && Sibling.same(previous.gzip, gzip)) {
                previous.checkedAt = now;
                return previous;
            }
            StaticFile brotliFile = brotli == null ? null
                    : build(brotli.path, brotli.attributes, contentType, cacheControl, "br", null, null, now);
            StaticFile gzipFile = null;
            try {
                gzipFile = gzip == null ? null
                        : build(gzip.path, gzip.attributes, contentType, cacheControl, "gzip", null, null, now);
                return build(real, attributes, contentType, cacheControl, null, brotliFile, gzipFile, now);
            } catch (IOException | RuntimeException e) {
                release((brotliFile == null ? 0 : brotliFile.memory()) + (gzipFile == null ? 0 : gzipFile.memory()));
                throw e;
            }
        }

        private Sibling sibling(Path real, String suffix) throws IOException {
            Path candidate = real.resolveSibling(real.getFileName() + suffix);
            Path realSibling = realPathIfExists(candidate);
            if (realSibling == null || !realSibling.startsWith(realRoot)) {
                return null;
            }
            BasicFileAttributes attributes = Files.readAttributes(realSibling, BasicFileAttributes.class);
            return attributes.isRegularFile() ? new Sibling(realSibling, attributes) : null;
        }
    }

    private record Sibling(Path path, BasicFileAttributes attributes) {
        static boolean same(StaticFile cached, Sibling onDisk) {
            if (cached == null || onDisk == null) {
                return cached == null && onDisk == null;
            }
            BasicFileAttributes a = onDisk.attributes;
            return cached.sameAs(onDisk.path, a.size(), millis(a), a.fileKey());
        }
    }

    private StaticFile build(Path real, BasicFileAttributes attributes, String contentType, String cacheControl,
                             String contentEncoding, StaticFile brotli, StaticFile gzip, long now) throws IOException {
        long modified = millis(attributes);
        ByteBuffer content = null;
        long size = attributes.size();
        if (size <= maxFileBytes && reserve(size, now)) {
            try {
                content = read(real, (int) size);
            } catch (IOException | RuntimeException e) {
                release(size);
                throw e;
            }
        }
        String etag = etag(size, modified, attributes.fileKey(), contentEncoding);
        return new StaticFile(real, size, modified, attributes.fileKey(), etag, DateGenerator.formatDate(modified),
                contentType, cacheControl, contentEncoding, content, brotli, gzip, now);
    }

    /** Strong: any change of content changes size, mtime or inode (deployments write new files, never in place). */
    private static String etag(long size, long modified, Object fileKey, String contentEncoding) {
        StringBuilder etag = new StringBuilder(40).append('"')
                .append(Long.toHexString(modified)).append('-')
                .append(Long.toHexString(size)).append('-')
                .append(Integer.toHexString(fileKey == null ? 0 : fileKey.hashCode()));
        if (contentEncoding != null) {
            etag.append('-').append(contentEncoding);
        }
        return etag.append('"').toString();
    }

    private static ByteBuffer read(Path path, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new IOException("file shrank while reading: " + path);
                }
            }
        }
        return buffer.flip().asReadOnlyBuffer();
    }

    private static long millis(BasicFileAttributes attributes) {
        return attributes.lastModifiedTime().toMillis();
    }

    /** Avoids the exception toRealPath throws for a missing file: misses are common (SPA routes, scanners). */
    private static Path realPathIfExists(Path candidate) throws IOException {
        if (!candidate.toFile().exists()) {
            return null;
        }
        try {
            return candidate.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }
}
