package io.miaobu.server.disk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures Miaobu's directories by walking them, on demand. A report is reused for {@link #FRESH_FOR}, so reloading
 * the disk page is cheap; two requests at once walk the directories once.
 */
public final class DiskUsage {

    static final Duration FRESH_FOR = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(DiskUsage.class);

    private final Path home;
    private final Path workspaces;
    private final Path cache;
    private final Path logs;
    private final Path sites;
    private final Optional<Path> h2Database;
    private final Clock clock;
    private DiskReport last;

    /**
     * @param databaseUrl the JDBC URL; an H2 file database is measured, anything else is not
     */
    public DiskUsage(Path home, Path workspaces, Path cache, Path logs, Path sites, String databaseUrl, Clock clock) {
        this.home = home;
        this.workspaces = workspaces;
        this.cache = cache;
        this.logs = logs;
        this.sites = sites;
        this.h2Database = h2DatabaseOf(databaseUrl);
        this.clock = clock;
    }

    /** The latest report, measured now if the last one is older than {@link #FRESH_FOR}. */
    public synchronized DiskReport report() {
        Instant now = clock.instant();
        if (last == null || !now.isBefore(last.measuredAt().plus(FRESH_FOR))) {
            long begin = System.nanoTime();
            last = measure(now);
            LOG.debug("Measured the disk usage in {} ms", (System.nanoTime() - begin) / 1_000_000);
        }
        return last;
    }

    private DiskReport measure(Instant now) {
        DiskReport.Area workspacesArea = area("workspaces", workspaces);
        DiskReport.Area cacheArea = areaWithParts("cache", cache);
        DiskReport.Area logsArea = area("logs", logs);
        DiskReport.Area sitesArea = area("sites", sites);
        DiskReport.Area database = h2Database.map(DiskUsage::databaseArea).orElse(null);
        long total = workspacesArea.bytes() + cacheArea.bytes() + logsArea.bytes() + sitesArea.bytes()
                + (database == null ? 0 : database.bytes());
        return new DiskReport(now, home.toString(), workspacesArea, cacheArea, logsArea, sitesArea, database,
                volume(), total);
    }

    private static DiskReport.Area area(String name, Path directory) {
        var tally = new Tally();
        tally.walk(directory);
        return new DiskReport.Area(name, directory.toString(), tally.bytes, tally.files, List.of());
    }

    /** The directory with each sub-directory measured as a part, largest first; loose files count in the total. */
    private static DiskReport.Area areaWithParts(String name, Path directory) {
        var parts = new ArrayList<DiskReport.Area>();
        var loose = new Tally();
        if (Files.isDirectory(directory)) {
            try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
                for (Path child : children) {
                    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        parts.add(area(child.getFileName().toString(), child));
                    } else {
                        loose.walk(child);
                    }
                }
            } catch (IOException e) {
                LOG.warn("Cannot list {}: {}", directory, e.toString());
            }
        }
        parts.sort(Comparator.comparingLong(DiskReport.Area::bytes).reversed()
                .thenComparing(DiskReport.Area::name));
        long bytes = loose.bytes + parts.stream().mapToLong(DiskReport.Area::bytes).sum();
        long files = loose.files + parts.stream().mapToLong(DiskReport.Area::files).sum();
        return new DiskReport.Area(name, directory.toString(), bytes, files, parts);
    }

    /** H2 keeps {@code <name>.mv.db} and, at times, {@code <name>.trace.db} and temporary files beside it. */
    private static DiskReport.Area databaseArea(Path base) {
        var tally = new Tally();
        Path directory = base.getParent();
        String prefix = base.getFileName() + ".";
        if (directory != null && Files.isDirectory(directory)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory,
                    entry -> entry.getFileName().toString().startsWith(prefix))) {
                files.forEach(tally::walk);
            } catch (IOException e) {
                LOG.warn("Cannot list {}: {}", directory, e.toString());
            }
        }
        return new DiskReport.Area("database", base + ".mv.db", tally.bytes, tally.files, List.of());
    }

    private DiskReport.Volume volume() {
        try {
            FileStore store = Files.getFileStore(home);
            return new DiskReport.Volume(store.toString(), store.getTotalSpace(), store.getUsableSpace());
        } catch (IOException e) {
            LOG.warn("Cannot read the free space of {}: {}", home, e.toString());
            return new DiskReport.Volume(home.toString(), 0, 0);
        }
    }

    /**
     * The files of an H2 database given by its JDBC URL ({@code jdbc:h2:file:/path/name;…}, {@code jdbc:h2:~/name},
     * {@code jdbc:h2:./name}): the path and name they start with. Empty for in-memory and server (tcp, ssl) H2 URLs and
     * for other databases.
     */
    static Optional<Path> h2DatabaseOf(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")) {
            return Optional.empty();
        }
        String location = jdbcUrl.substring("jdbc:h2:".length());
        int parameters = location.indexOf(';');
        if (parameters >= 0) {
            location = location.substring(0, parameters);
        }
        String lower = location.toLowerCase(Locale.ROOT);
        if (lower.startsWith("mem:") || lower.startsWith("tcp:") || lower.startsWith("ssl:") || location.isBlank()) {
            return Optional.empty();
        }
        // file system prefixes H2 accepts before the path
        for (String prefix : List.of("file:", "nio:", "niomapped:", "async:", "split:")) {
            if (lower.startsWith(prefix)) {
                location = location.substring(prefix.length());
                lower = lower.substring(prefix.length());
            }
        }
        if (location.startsWith("~")) {
            location = System.getProperty("user.home") + location.substring(1);
        }
        try {
            return Optional.of(Path.of(location).toAbsolutePath().normalize());
        } catch (java.nio.file.InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Regular files under a path, each stored file (inode) counted once in the bytes. */
    private static final class Tally {
        private final Set<Object> seen = new HashSet<>();
        private long bytes;
        private long files;

        void walk(Path root) {
            if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                        if (attrs.isRegularFile()) {
                            files++;
                            Object key = attrs.fileKey();
                            if (key == null || seen.add(key)) {
                                bytes += attrs.size();
                            }
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) {
                        // removed while walking (a workspace of a build that just ended), or unreadable
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                LOG.warn("Cannot measure {}: {}", root, e.toString());
            }
        }
    }
}
