package io.miaobu.server.build.cache;

import java.util.Map;

/**
 * How much disk the dependency cache uses.
 *
 * @param totalBytes bytes of all entries, their prepared copies included
 * @param entries    number of entries
 * @param capBytes   the size cap that saves keep the cache within
 * @param projects   per project id
 */
public record CacheUsage(long totalBytes, int entries, long capBytes, Map<Long, ProjectUsage> projects) {

    public CacheUsage {
        projects = Map.copyOf(projects);
    }

    /** One project's part of the cache. */
    public record ProjectUsage(long bytes, int entries) {
    }
}
