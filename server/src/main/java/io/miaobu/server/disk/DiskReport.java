package io.miaobu.server.disk;

import java.time.Instant;
import java.util.List;

/**
 * How much of the disk Miaobu's directories take, as measured at {@code measuredAt}.
 *
 * @param home       MIAOBU_HOME
 * @param workspaces checkouts of running builds ({@code workspaces/})
 * @param cache      build caches ({@code cache/}), with each sub-directory as a part
 * @param logs       build logs ({@code logs/})
 * @param sites      published deployments ({@code sites/})
 * @param database   the H2 database files; {@code null} for any other database, which Miaobu cannot measure
 * @param volume     the file system MIAOBU_HOME is on
 * @param totalBytes the bytes of every area together
 */
public record DiskReport(Instant measuredAt, String home, Area workspaces, Area cache, Area logs, Area sites,
                         Area database, Volume volume, long totalBytes) {

    /**
     * One directory (or set of files).
     *
     * @param bytes the size of its regular files; a file hard-linked several times (as deployments share files in
     *              {@code sites/}) counts once
     * @param files how many regular files it holds, counting every link
     * @param parts its sub-directories, largest first, where they are listed (the cache); otherwise empty
     */
    public record Area(String name, String path, long bytes, long files, List<Area> parts) {

        public Area {
            parts = List.copyOf(parts);
        }
    }

    /**
     * @param path       where it is mounted, as far as Java can tell (the file store's name)
     * @param totalBytes its size
     * @param freeBytes  what this process may still write
     */
    public record Volume(String path, long totalBytes, long freeBytes) {
    }
}
