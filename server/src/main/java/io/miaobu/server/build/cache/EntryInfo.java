package io.miaobu.server.build.cache;

import java.time.Instant;
import java.util.List;

/**
 * An entry's {@code entry.json}: what it holds, for eviction and for an admin looking at the directory.
 *
 * @param bytes the saved directories' size; a prepared copy takes as much again
 */
record EntryInfo(long projectId, String lockfile, String packageManager, String nodeVersion, String rootDirectory,
                 List<String> directories, long files, long bytes, Instant created, Instant lastUsed) {

    /** Tolerates fields missing from an older {@code entry.json}: such an entry is evicted first. */
    EntryInfo {
        lockfile = lockfile == null ? "" : lockfile;
        packageManager = packageManager == null ? "" : packageManager;
        nodeVersion = nodeVersion == null ? "" : nodeVersion;
        rootDirectory = rootDirectory == null ? "" : rootDirectory;
        directories = directories == null ? List.of(CacheKey.NODE_MODULES) : List.copyOf(directories);
        created = created == null ? Instant.EPOCH : created;
        lastUsed = lastUsed == null ? created : lastUsed;
    }

    EntryInfo usedAt(Instant when) {
        return new EntryInfo(projectId, lockfile, packageManager, nodeVersion, rootDirectory, directories, files,
                bytes, created, when);
    }
}
