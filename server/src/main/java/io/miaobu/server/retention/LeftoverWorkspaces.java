package io.miaobu.server.retention;

import io.miaobu.server.files.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes workspaces that outlived their build. The pipeline deletes {@code workspaces/<id>} when a build ends; what
 * remains after a crash, a kill or a failed delete is removed here once it is older than {@link #MAX_AGE}, unless its
 * deployment is still being built.
 */
final class LeftoverWorkspaces {

    static final Duration MAX_AGE = Duration.ofDays(1);
    private static final Logger LOG = LoggerFactory.getLogger(LeftoverWorkspaces.class);

    private final Path workspaces;

    LeftoverWorkspaces(Path workspaces) {
        this.workspaces = workspaces;
    }

    /**
     * @param unfinished whether the deployment of that id is queued or running (its workspace is in use)
     * @return how many were removed
     */
    int sweep(Instant now, LongPredicate unfinished) {
        if (!Files.isDirectory(workspaces)) {
            return 0;
        }
        Instant cutoff = now.minus(MAX_AGE);
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(workspaces)) {
            for (Path entry : entries) {
                if (isOlderThan(entry, cutoff) && !inUse(entry, unfinished)) {
                    try {
                        FileTrees.deleteRecursively(entry);
                        removed++;
                        LOG.info("Removed the leftover workspace {}", entry);
                    } catch (IOException e) {
                        LOG.warn("Could not remove the leftover workspace {}: {}", entry, e.toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + workspaces, e);
        }
        return removed;
    }

    private static boolean isOlderThan(Path entry, Instant cutoff) {
        try {
            return Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            LOG.warn("Cannot tell the age of {}: {}", entry, e.toString());
            return false;
        }
    }

    private static boolean inUse(Path entry, LongPredicate unfinished) {
        String name = entry.getFileName().toString();
        if (!name.matches("\\d{1,18}")) {
            return false;
        }
        return unfinished.test(Long.parseLong(name));
    }
}
