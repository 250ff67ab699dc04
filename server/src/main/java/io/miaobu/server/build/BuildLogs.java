package io.miaobu.server.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Build logs: one UTF-8 text file per deployment in {@code MIAOBU_HOME/logs/deployments}, one line per log line, never
 * database rows. Logs being written are also fanned out to followers ({@link LogStreams}, the API's event stream that
 * the live log page reads).
 *
 * <p>A log is {@code <id>.log} while its build runs and {@code <id>.log.gz} once {@link #compress} has run after the
 * build; every read here takes either form.
 */
public final class BuildLogs {

    private static final Logger LOG = LoggerFactory.getLogger(BuildLogs.class);
    private static final Pattern LOG_FILE = Pattern.compile("(\\d{1,18})\\.log(\\.gz)?");

    private final Path directory;
    private final Map<Long, LiveLog> active = new ConcurrentHashMap<>();
    private final List<LongConsumer> openListeners = new CopyOnWriteArrayList<>();
    // compressing is rare and quick; one at a time keeps the build's own call and the periodic sweep apart
    private final Object compressing = new Object();

    public BuildLogs(Path logsDirectory) {
        this.directory = logsDirectory.resolve("deployments");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    /**
     * Opens the log of a deployment for writing (appending, after a restart), then tells the {@link #onOpen}
     * listeners. Close it when the build ends.
     */
    public LiveLog open(long deploymentId) {
        LiveLog log = active.computeIfAbsent(deploymentId, id -> {
            restorePlain(id);
            return new LiveLog(fileOf(id), () -> active.remove(id));
        });
        openListeners.forEach(listener -> listener.accept(deploymentId));
        return log;
    }

    /**
     * Calls {@code listener} with the deployment id each time a build opens a log, on the build's thread: it must
     * return quickly. For the event streams of queued deployments, which wait for their log without a thread.
     */
    public void onOpen(LongConsumer listener) {
        openListeners.add(listener);
    }

    /** The plain-text log file; after {@link #compress} the log is in {@link #compressedFileOf} instead. */
    public Path fileOf(long deploymentId) {
        return directory.resolve(deploymentId + ".log");
    }

    public Path compressedFileOf(long deploymentId) {
        return directory.resolve(deploymentId + ".log.gz");
    }

    /**
     * Follows the log while a build writes it; see {@link LiveLog#subscribe}. The lines written before are read with
     * {@link #readLines}.
     *
     * @return empty when no build writes this log (any more)
     */
    Optional<LiveLog.Subscription> subscribe(long deploymentId, Consumer<LogEvent> follower) {
        LiveLog live = active.get(deploymentId);
        return live == null ? Optional.empty() : live.subscribe(follower);
    }

    /** The stored log line by line, from whichever form it is in; empty when there is none. The caller closes it. */
    Optional<LogLines> readLines(long deploymentId) throws IOException {
        return openStored(deploymentId).map(LogLines::new);
    }

    /** Whether a build is writing this log now. */
    public boolean isActive(long deploymentId) {
        return active.containsKey(deploymentId);
    }

    /**
     * The stored log as plain text, from whichever form it is in; empty when there is none (not started yet, or
     * deleted). The caller closes the stream.
     */
    public Optional<InputStream> openStored(long deploymentId) throws IOException {
        // the plain file first: a build may still append to it; compress() writes the .gz before deleting it
        try {
            return Optional.of(Files.newInputStream(fileOf(deploymentId)));
        } catch (NoSuchFileException e) {
            // compressed, or none
        }
        try {
            return Optional.of(new GZIPInputStream(Files.newInputStream(compressedFileOf(deploymentId)), 64 * 1024));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Writes the whole stored log, as plain text, to {@code out}; nothing when there is none. */
    public void copyTo(long deploymentId, OutputStream out) throws IOException {
        Optional<InputStream> stored = openStored(deploymentId);
        if (stored.isPresent()) {
            try (InputStream in = stored.get()) {
                in.transferTo(out);
            }
        }
    }

    /**
     * The last complete lines of the log, at most {@code maxBytes} of them, and how many complete lines the log has.
     * A line being written at this moment is left out: the live stream continues after {@link Tail#lines()}.
     */
    public Tail tail(long deploymentId, int maxBytes) {
        try {
            Optional<InputStream> stored = openStored(deploymentId);
            if (stored.isEmpty()) {
                return new Tail("", 0, false);
            }
            try (InputStream in = stored.get()) {
                return tail(in, maxBytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the log of deployment " + deploymentId, e);
        }
    }

    /**
     * What the page embeds of a log.
     *
     * @param text      the last complete lines
     * @param lines     how many complete lines the log has up to the end of {@code text}
     * @param truncated whether earlier lines were left out of {@code text}
     */
    public record Tail(String text, long lines, boolean truncated) {
    }

    /**
     * Stores a finished build's log gzip-compressed: writes {@code <id>.log.gz} under a temporary name, renames it,
     * then deletes {@code <id>.log}. Does nothing while a build writes the log, or when there is no plain log. A failure
     * leaves the plain log in place and is only logged.
     *
     * @return whether the log is stored compressed now
     */
    public boolean compress(long deploymentId) {
        synchronized (compressing) {
            Path plain = fileOf(deploymentId);
            Path compressed = compressedFileOf(deploymentId);
            if (active.containsKey(deploymentId)) {
                return false;
            }
            if (!Files.exists(plain)) {
                return Files.exists(compressed);
            }
            Path temporary = directory.resolve("." + deploymentId + ".log.gz.tmp-" + UUID.randomUUID());
            try {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(temporary), 64 * 1024)) {
                    Files.copy(plain, out);
                }
                Files.move(temporary, compressed, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.delete(plain);
                return true;
            } catch (IOException e) {
                LOG.warn("Could not compress the log of deployment {}; it stays uncompressed: {}", deploymentId,
                        e.toString());
                deleteQuietly(temporary);
                return false;
            }
        }
    }

    /** Whether the log is stored as plain text (not compressed yet). */
    public boolean isPlain(long deploymentId) {
        return Files.exists(fileOf(deploymentId));
    }

    /**
     * Deletes the log in either form.
     *
     * @return whether there was one
     */
    public boolean delete(long deploymentId) {
        try {
            boolean plain = Files.deleteIfExists(fileOf(deploymentId));
            return Files.deleteIfExists(compressedFileOf(deploymentId)) || plain;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The deployments that have a log file, plain or compressed; for the periodic sweep, which compresses the logs of
     * builds that ended without {@link #compress} (a crash) and deletes the logs of deployments that are gone.
     */
    public Set<Long> storedLogIds() {
        var ids = new TreeSet<Long>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Matcher matcher = LOG_FILE.matcher(file.getFileName().toString());
                if (matcher.matches()) {
                    ids.add(Long.parseLong(matcher.group(1)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
        return ids;
    }

    /** A build opens a log again only after a restart; it appends to the plain text, so bring that back first. */
    private void restorePlain(long deploymentId) {
        Path plain = fileOf(deploymentId);
        Path compressed = compressedFileOf(deploymentId);
        if (Files.exists(plain) || !Files.exists(compressed)) {
            return;
        }
        Path temporary = directory.resolve("." + deploymentId + ".log.tmp-" + UUID.randomUUID());
        try {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(compressed))) {
                Files.copy(in, temporary);
            }
            Files.move(temporary, plain, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(compressed);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new UncheckedIOException("cannot reopen the compressed log of deployment " + deploymentId, e);
        }
    }

    /** One pass in fixed-size chunks, keeping only the last {@code maxBytes}: a huge log costs no more memory. */
    static Tail tail(InputStream in, int maxBytes) throws IOException {
        byte[] ring = new byte[Math.max(1, maxBytes)];
        byte[] chunk = new byte[64 * 1024];
        long position = 0;
        long lines = 0;
        long completeEnd = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                if (chunk[i] == '\n') {
                    lines++;
                    completeEnd = position + i + 1;
                }
            }
            // keep the last ring.length bytes read: byte p lives at ring[p % ring.length]
            int from = Math.max(0, n - ring.length);
            long p = position + from;
            while (from < n) {
                int at = (int) (p % ring.length);
                int count = Math.min(n - from, ring.length - at);
                System.arraycopy(chunk, from, ring, at, count);
                from += count;
                p += count;
            }
            position += n;
        }
        // the ring holds the bytes [position - length, position); show complete lines only
        long start = Math.min(completeEnd, Math.max(0, position - ring.length));
        byte[] kept = new byte[(int) (completeEnd - start)];
        for (int i = 0; i < kept.length; i++) {
            kept[i] = ring[(int) ((start + i) % ring.length)];
        }
        int from = 0;
        if (start > 0) {
            // the first line kept may be cut: leave it out
            while (from < kept.length && kept[from] != '\n') {
                from++;
            }
            from = Math.min(from + 1, kept.length);
        }
        return new Tail(new String(kept, from, kept.length - from, StandardCharsets.UTF_8), lines, start > 0);
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("Could not delete {}: {}", file, e.toString());
        }
    }
}
