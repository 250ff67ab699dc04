package io.miaobu.server.build.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.miaobu.server.files.FileTrees;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a project's installed dependencies ({@code node_modules}, and pnpm's store when it lives in the project)
 * between builds, keyed by {@link CacheKey}, so that a build whose lockfile has not changed starts with them in place
 * and its install command only has to confirm them. An entry is written once, by the first save of its key, and is
 * never changed after: nothing writes into it but that save. {@code node_modules/.cache}, where babel, webpack and
 * eslint keep what a build computed, is left out of it.
 *
 * <h2>Why restores hand out private copies, never hard links</h2>
 * Linking the entry's files into the workspace is the fast way to restore, but the build then holds the entry's own
 * inodes, and a build writing into a file would change the entry. Making the entry read-only does not prevent that:
 * Miaobu often runs as root (in containers, and on its own build machine), and root writes through {@code a-w}; a
 * non-root build can {@code chmod} first, or fails with {@code EACCES} where it worked without the cache. And writing
 * in place is ordinary: {@code npm install} rewrites {@code node_modules/.package-lock.json} in place on every run;
 * code generators (Prisma's client, for one) write into {@code node_modules}. So a workspace never shares an inode
 * with the cache. To keep restores fast anyway, each entry holds, beside the saved tree, one <em>prepared copy</em>:
 * {@link #restore} renames it into the project (one {@code rename(2)} per directory, whatever the number of files),
 * and a fresh copy is made in the background for the next build. Without a prepared copy (it is still being made, or
 * the workspace is on another file system) the entry is copied. Measured with {@code bench/dependency-cache.mjs} on
 * the 2-core development VM, busy with other work (5,095 files, 76.5 MiB): renaming 1-11 ms, copying 0.5-4.6 s; hard
 * links, measured apart, 0.25-2 s. The price is disk: a prepared copy is as big as its entry, and the cap counts both.
 *
 * <h2>Layout under the root directory</h2>
 * <pre>
 * &lt;project id&gt;/&lt;key digest&gt;/entry.json        sizes, created, lastUsed (for eviction), what the key was
 * &lt;project id&gt;/&lt;key digest&gt;/tree/...         the saved directories, never handed out
 * &lt;project id&gt;/&lt;key digest&gt;/prepared/...     a private copy for the next restore, if one is ready
 * .work/                                    saves being written, claimed copies, entries being deleted
 * </pre>
 *
 * <h2>Concurrency</h2>
 * Thread-safe, and safe with another server process on the same directory, without locks between them: every change
 * another reader could see is a single {@code rename(2)}. A save is written under {@code .work} and renamed into place
 * (the loser of two saves of one key drops its copy); a restore claims the prepared copy by renaming it away (only one
 * can); eviction and {@link #clear} rename an entry into {@code .work} before deleting it, so a restore copying from
 * it at that moment fails cleanly and reports a miss. Two processes evicting at once may remove a little more than
 * needed. Names under {@code .work} carry their creation time, so what a crashed process left is removed after a day.
 */
public final class DependencyCache {

    public static final long DEFAULT_CAP_BYTES = 5L * 1024 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(DependencyCache.class);
    private static final String INFO = "entry.json";
    private static final String TREE = "tree";
    private static final String PREPARED = "prepared";
    private static final String WORK = ".work";
    private static final String TRASH = "trash";
    /** Tool caches that builds write into node_modules (babel, webpack, eslint): a build's, not the install's. */
    private static final Set<String> NOT_CACHED = Set.of(".cache");
    private static final Duration ABANDONED = Duration.ofHours(24);

    private final Path root;
    private final Path work;
    private final long capBytes;
    private final Clock clock;
    private final Executor background;
    private final ObjectMapper json = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final Set<Path> preparing = ConcurrentHashMap.newKeySet();
    private final ReentrantLock eviction = new ReentrantLock();
    private volatile boolean prepareCopies = true;

    /**
     * @param root       the cache's own directory ({@code MIAOBU_HOME/cache/dependencies}); created if missing. On the
     *                   same file system as the workspaces, or restores copy instead of renaming.
     * @param capBytes   the most the entries and their prepared copies may take together
     * @param background runs the copies prepared for the next restore; one thread is plenty. Copies run one per
     *                   entry at a time; a rejected task is skipped.
     */
    public DependencyCache(Path root, long capBytes, Clock clock, Executor background) {
        if (capBytes <= 0) {
            throw new IllegalArgumentException("The dependency cache's size cap must be positive: " + capBytes);
        }
        this.root = root.toAbsolutePath().normalize();
        this.work = this.root.resolve(WORK);
        this.capBytes = capBytes;
        this.clock = clock;
        this.background = background;
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the dependency cache in " + root, e);
        }
        sweepWork();
    }

    /**
     * Puts the cached directories for {@code key} into {@code projectDirectory}, before the install command runs.
     * Never throws for an I/O problem: whatever goes wrong is a miss, and anything half-restored is removed.
     */
    public RestoreResult restore(CacheKey key, Path projectDirectory) {
        long started = System.nanoTime();
        if (!key.cacheable()) {
            return new RestoreResult(RestoreResult.Outcome.NOT_CACHEABLE, notCacheable(key), false, 0, 0,
                    since(started));
        }
        Path entry = entryDirectory(key);
        Optional<EntryInfo> found = readInfo(entry);
        if (found.isEmpty()) {
            return RestoreResult.miss("no entry for this lockfile yet; installing in full.", since(started));
        }
        EntryInfo info = found.get();
        for (String directory : info.directories()) {
            if (Files.exists(projectDirectory.resolve(directory), LinkOption.NOFOLLOW_LINKS)) {
                return RestoreResult.miss(directory + " is already in the project (committed?); left as it is.",
                        since(started));
            }
        }
        touch(entry, info);
        List<Path> restored = new ArrayList<>();
        Path claimed = claimPrepared(entry);
        try {
            boolean moved = claimed != null
                    && moveInto(claimed, projectDirectory, info.directories(), restored);
            TreeCopy.Totals totals = moved ? new TreeCopy.Totals(info.files(), info.bytes())
                    : copyInto(claimed != null ? claimed : entry.resolve(TREE), projectDirectory,
                            info.directories(), restored);
            if (!moved && claimed == null && (totals.files() != info.files() || totals.bytes() != info.bytes())) {
                // removed from under us (eviction in another process, an admin's rm -rf): never hand out half
                throw new IOException("the entry changed while it was copied");
            }
            return new RestoreResult(RestoreResult.Outcome.HIT, "restored", moved, totals.files(), totals.bytes(),
                    since(started));
        } catch (IOException e) {
            restored.forEach(this::deleteQuietly);
            if (e instanceof InterruptedIOException) {
                return RestoreResult.miss("restoring was interrupted.", since(started));
            }
            LOG.warn("Could not restore cached dependencies {} into {}: {}", entry, projectDirectory, e.toString());
            return RestoreResult.miss("could not restore (" + e.getMessage() + "); installing in full.",
                    since(started));
        } finally {
            if (claimed != null) {
                deleteQuietly(claimed);
            }
            prepare(entry);
        }
    }

    /**
     * Stores the project's cached directories for {@code key}, after a successful install (or build). Does nothing
     * when an entry for the key exists. The project directory is only read. Then removes least recently used
     * entries until the cache is within its cap. Never throws for an I/O problem.
     */
    public SaveResult save(CacheKey key, Path projectDirectory) {
        long started = System.nanoTime();
        if (!key.cacheable()) {
            return SaveResult.of(SaveResult.Outcome.NOT_CACHEABLE, notCacheable(key), since(started));
        }
        Path entry = entryDirectory(key);
        if (readInfo(entry).isPresent()) {
            prepare(entry);
            return SaveResult.of(SaveResult.Outcome.ALREADY_CACHED, "this lockfile's dependencies are cached already.",
                    since(started));
        }
        if (!Files.isDirectory(projectDirectory.resolve(CacheKey.NODE_MODULES), LinkOption.NOFOLLOW_LINKS)) {
            return SaveResult.of(SaveResult.Outcome.NOTHING_TO_SAVE, "the install left no node_modules to cache.",
                    since(started));
        }
        List<String> present = key.directories().stream()
                .filter(directory -> Files.isDirectory(projectDirectory.resolve(directory), LinkOption.NOFOLLOW_LINKS))
                .toList();
        Path staging = work.resolve(workName("save"));
        try {
            TreeCopy.Totals totals = TreeCopy.NONE;
            for (String directory : present) {
                Path target = staging.resolve(TREE).resolve(directory);
                Files.createDirectories(target.getParent());
                totals = totals.plus(TreeCopy.copy(projectDirectory.resolve(directory), target,
                        directory.equals(CacheKey.NODE_MODULES) ? NOT_CACHED : Set.of()));
            }
            if (totals.bytes() > capBytes / 2) {
                return SaveResult.of(SaveResult.Outcome.TOO_LARGE, Sizes.bytes(totals.bytes())
                        + " of dependencies and their prepared copy would not fit in the cache's size cap of "
                        + Sizes.bytes(capBytes) + ".", since(started));
            }
            Instant now = clock.instant();
            writeInfo(staging, new EntryInfo(key.projectId(), key.lockfile(), key.packageManager(),
                    key.nodeVersion(), key.rootDirectory(), present, totals.files(), totals.bytes(), now, now));
            Files.createDirectories(entry.getParent());
            try {
                Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (readInfo(entry).isPresent()) {
                    return SaveResult.of(SaveResult.Outcome.ALREADY_CACHED,
                            "another build cached this lockfile's dependencies a moment ago.", since(started));
                }
                throw e;
            }
            int evicted = enforceCap(entry);
            prepare(entry);
            return new SaveResult(SaveResult.Outcome.SAVED, "saved", totals.files(), totals.bytes(), evicted,
                    since(started));
        } catch (IOException e) {
            if (e instanceof InterruptedIOException) {
                return SaveResult.of(SaveResult.Outcome.FAILED, "saving was interrupted.", since(started));
            }
            LOG.warn("Could not cache the dependencies of {} as {}: {}", projectDirectory, entry, e.toString());
            return SaveResult.of(SaveResult.Outcome.FAILED, "could not save (" + e.getMessage() + ").",
                    since(started));
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Removes every entry of one project; returns what they took. A restore from them at that moment misses. */
    public CacheUsage.ProjectUsage clear(long projectId) {
        CacheUsage.ProjectUsage removed = usage().projects()
                .getOrDefault(projectId, new CacheUsage.ProjectUsage(0, 0));
        discard(root.resolve(Long.toString(projectId)));
        return removed;
    }

    /** What the cache holds now, by reading each entry's {@code entry.json}. */
    public CacheUsage usage() {
        long total = 0;
        Map<Long, long[]> perProject = new HashMap<>();
        List<Listed> entries = listEntries();
        for (Listed listed : entries) {
            total += listed.footprint();
            long[] project = perProject.computeIfAbsent(listed.projectId(), id -> new long[2]);
            project[0] += listed.footprint();
            project[1]++;
        }
        Map<Long, CacheUsage.ProjectUsage> projects = new HashMap<>();
        perProject.forEach((id, sums) -> projects.put(id, new CacheUsage.ProjectUsage(sums[0], (int) sums[1])));
        return new CacheUsage(total, entries.size(), capBytes, projects);
    }

    private Path entryDirectory(CacheKey key) {
        return root.resolve(Long.toString(key.projectId())).resolve(key.digest());
    }

    /** Renames the claimed copy's directories into the project; false if the file systems differ. */
    private boolean moveInto(Path claimed, Path projectDirectory, List<String> directories, List<Path> restored)
            throws IOException {
        for (String directory : directories) {
            Path target = projectDirectory.resolve(directory);
            Files.createDirectories(target.getParent());
            try {
                Files.move(claimed.resolve(directory), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // The workspace is on another file system: every restore copies, so stop preparing copies.
                prepareCopies = false;
                return false;
            }
            restored.add(target);
        }
        return true;
    }

    private TreeCopy.Totals copyInto(Path source, Path projectDirectory, List<String> directories,
                                     List<Path> restored) throws IOException {
        TreeCopy.Totals totals = TreeCopy.NONE;
        for (String directory : directories) {
            Path from = source.resolve(directory);
            Path target = projectDirectory.resolve(directory);
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                continue; // moved already, before the move across file systems failed
            }
            Files.createDirectories(target.getParent());
            restored.add(target);
            totals = totals.plus(TreeCopy.copy(from, target, Set.of()));
        }
        return totals;
    }

    private Path claimPrepared(Path entry) {
        Path prepared = entry.resolve(PREPARED);
        if (!Files.isDirectory(prepared)) {
            return null;
        }
        Path claim = work.resolve(workName("claim"));
        try {
            Files.move(prepared, claim, StandardCopyOption.ATOMIC_MOVE);
            return claim;
        } catch (IOException e) {
            return null; // another restore took it first, or the entry is being removed
        }
    }

    /** Makes the next restore of this entry a rename, in the background. */
    private void prepare(Path entry) {
        if (!prepareCopies || Files.exists(entry.resolve(PREPARED)) || !preparing.add(entry)) {
            return;
        }
        try {
            background.execute(() -> {
                try {
                    prepareNow(entry);
                } finally {
                    preparing.remove(entry);
                }
            });
        } catch (RejectedExecutionException e) {
            preparing.remove(entry);
        }
    }

    private void prepareNow(Path entry) {
        Optional<EntryInfo> info = readInfo(entry);
        if (info.isEmpty() || Files.exists(entry.resolve(PREPARED))) {
            return;
        }
        sweepAbandoned(entry);
        // inside the entry, so that removing the entry removes an unfinished copy with it
        Path staging = entry.resolve(workName("preparing"));
        try {
            Files.createDirectory(staging);
            for (String directory : info.get().directories()) {
                Path target = staging.resolve(directory);
                Files.createDirectories(target.getParent());
                TreeCopy.copy(entry.resolve(TREE).resolve(directory), target, Set.of());
            }
            Files.move(staging, entry.resolve(PREPARED), StandardCopyOption.ATOMIC_MOVE);
            enforceCap(null);
        } catch (IOException e) {
            LOG.debug("No prepared copy of {}: {}", entry, e.toString());
        } finally {
            deleteQuietly(staging);
        }
    }

    /** Removes least recently used entries (never {@code keep}) until the cache is within its cap. */
    private int enforceCap(Path keep) {
        eviction.lock();
        try {
            sweepWork();
            List<Listed> entries = new ArrayList<>(listEntries());
            long total = entries.stream().mapToLong(Listed::footprint).sum();
            entries.sort(Comparator.comparing((Listed listed) -> listed.info().lastUsed())
                    .thenComparing(listed -> listed.info().created())
                    .thenComparing(Listed::directory));
            int evicted = 0;
            for (Listed listed : entries) {
                if (total <= capBytes) {
                    break;
                }
                if (listed.directory().equals(keep)) {
                    continue;
                }
                if (discard(listed.directory())) {
                    total -= listed.footprint();
                    evicted++;
                    LOG.debug("Evicted cached dependencies {} (last used {})", listed.directory(),
                            listed.info().lastUsed());
                }
            }
            return evicted;
        } finally {
            eviction.unlock();
        }
    }

    private List<Listed> listEntries() {
        List<Listed> entries = new ArrayList<>();
        try (DirectoryStream<Path> projects = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path project : projects) {
                long projectId;
                try {
                    projectId = Long.parseLong(project.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue; // .work
                }
                try (DirectoryStream<Path> keys = Files.newDirectoryStream(project, Files::isDirectory)) {
                    for (Path entry : keys) {
                        Optional<EntryInfo> info = readInfo(entry);
                        if (info.isPresent()) {
                            long copies = Files.isDirectory(entry.resolve(PREPARED)) ? 2 : 1;
                            entries.add(new Listed(entry, projectId, info.get(), copies * info.get().bytes()));
                        }
                    }
                } catch (NoSuchFileException e) {
                    // the project was cleared meanwhile
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not list the dependency cache {}: {}", root, e.toString());
        }
        return entries;
    }

    private Optional<EntryInfo> readInfo(Path entry) {
        Path file = entry.resolve(INFO);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), EntryInfo.class));
        } catch (IOException e) {
            if (Files.exists(file)) {
                // written atomically, so this is damage from outside; an entry nobody can describe must go
                LOG.warn("Removing cached dependencies {}: unreadable {}: {}", entry, INFO, e.toString());
                discard(entry);
            }
            return Optional.empty();
        }
    }

    private void writeInfo(Path entry, EntryInfo info) throws IOException {
        Path temporary = entry.resolve(INFO + "." + UUID.randomUUID() + ".tmp");
        try {
            json.writeValue(temporary.toFile(), info);
            Files.move(temporary, entry.resolve(INFO), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private void touch(Path entry, EntryInfo info) {
        try {
            writeInfo(entry, info.usedAt(clock.instant()));
        } catch (IOException e) {
            LOG.debug("Could not record the use of {}: {}", entry, e.toString());
        }
    }

    /** Renames the directory out of sight, then deletes it: no reader ever sees half of it. */
    private boolean discard(Path directory) {
        Path trash = work.resolve(workName(TRASH));
        try {
            Files.move(directory, trash, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            return false;
        }
        deleteQuietly(trash);
        return true;
    }

    private void sweepWork() {
        sweepAbandoned(work);
    }

    /** Removes what crashed processes left behind: trash at once, unfinished work after a day. */
    private void sweepAbandoned(Path directory) {
        Instant abandoned = clock.instant().minus(ABANDONED);
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory, child -> child.getFileName()
                .toString().matches("(trash|save|claim|preparing)-.*"))) {
            for (Path child : children) {
                String[] parts = child.getFileName().toString().split("-", 3);
                if (parts[0].equals(TRASH)) {
                    deleteQuietly(child);
                } else if (parts.length == 3 && isBefore(parts[1], abandoned)) {
                    deleteQuietly(child);
                }
            }
        } catch (IOException e) {
            LOG.debug("Could not sweep {}: {}", directory, e.toString());
        }
    }

    private static boolean isBefore(String millis, Instant instant) {
        try {
            return Instant.ofEpochMilli(Long.parseLong(millis)).isBefore(instant);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code kind-<created millis>-<random>}: the creation time, read by {@link #sweepWork}. */
    private String workName(String kind) {
        return kind + "-" + clock.millis() + "-" + UUID.randomUUID();
    }

    private void deleteQuietly(Path path) {
        try {
            FileTrees.deleteRecursively(path);
        } catch (IOException e) {
            LOG.warn("Could not remove {}: {}", path, e.toString());
        }
    }

    private static String notCacheable(CacheKey key) {
        return switch (key.packageManager()) {
            case "npm" -> "not used: the project has no package-lock.json or npm-shrinkwrap.json.";
            case "yarn" -> "not used: the project has no yarn.lock.";
            case "pnpm" -> "not used: the project has no pnpm-lock.yaml.";
            case "" -> "not used: nothing is installed.";
            default -> "not used: " + key.packageManager() + " is not supported.";
        };
    }

    private static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    private record Listed(Path directory, long projectId, EntryInfo info, long footprint) {
    }
}
