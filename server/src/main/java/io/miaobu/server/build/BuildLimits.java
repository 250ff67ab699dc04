package io.miaobu.server.build;

import io.miaobu.server.web.UserFacingException;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;

/**
 * A project's build limits: how many of its builds may run at once, whether a build interrupted by a server restart is
 * run again (once), and its own stage time limits where they differ from the server's.
 *
 * @param timeoutCloneSeconds   {@code null} for the server's default (likewise the other stages)
 * @param dependencyCache       whether builds restore and save installed dependencies (see build/cache)
 */
public record BuildLimits(int maxConcurrentBuilds, boolean retryInterrupted, Integer timeoutCloneSeconds,
                          Integer timeoutInstallSeconds, Integer timeoutBuildSeconds, Integer timeoutUploadSeconds,
                          Boolean dependencyCache) {

    /** Left out ({@code null}), the dependency cache is on. */
    public BuildLimits {
        dependencyCache = dependencyCache == null || dependencyCache;
    }

    static final int MAX_CONCURRENT = 10;
    static final int MAX_TIMEOUT_SECONDS = 24 * 3600;

    /** The stage limits for a build of this project: its own where set, else the server's. */
    public BuildTimeouts applyTo(BuildTimeouts defaults) {
        return new BuildTimeouts(
                timeoutCloneSeconds == null ? defaults.checkout() : Duration.ofSeconds(timeoutCloneSeconds),
                timeoutInstallSeconds == null ? defaults.install() : Duration.ofSeconds(timeoutInstallSeconds),
                timeoutBuildSeconds == null ? defaults.build() : Duration.ofSeconds(timeoutBuildSeconds),
                timeoutUploadSeconds == null ? defaults.upload() : Duration.ofSeconds(timeoutUploadSeconds));
    }

    /**
     * Checks the values.
     *
     * @throws UserFacingException 400 naming the field at fault
     */
    public BuildLimits checked() {
        if (maxConcurrentBuilds < 1 || maxConcurrentBuilds > MAX_CONCURRENT) {
            throw UserFacingException.invalid("maxConcurrentBuilds", "Between 1 and " + MAX_CONCURRENT + ".");
        }
        checkTimeout("timeoutCloneSeconds", timeoutCloneSeconds);
        checkTimeout("timeoutInstallSeconds", timeoutInstallSeconds);
        checkTimeout("timeoutBuildSeconds", timeoutBuildSeconds);
        checkTimeout("timeoutUploadSeconds", timeoutUploadSeconds);
        return this;
    }

    private static void checkTimeout(String field, Integer seconds) {
        if (seconds != null && (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS)) {
            throw UserFacingException.invalid(field, "Between 1 and " + MAX_TIMEOUT_SECONDS
                    + " seconds, or empty for the server's default.");
        }
    }

    /** Reads and writes the limits, which live on the project's row. */
    public static final class Store {

        private final Jdbi jdbi;

        public Store(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        public BuildLimits get(long projectId) {
            return jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT max_concurrent_builds, retry_interrupted, timeout_clone, timeout_install, timeout_build,
                                   timeout_upload, dependency_cache
                            FROM projects WHERE id = ?""")
                    .bind(0, projectId)
                    .map((rs, ctx) -> new BuildLimits(rs.getInt(1), rs.getBoolean(2), (Integer) rs.getObject(3),
                            (Integer) rs.getObject(4), (Integer) rs.getObject(5), (Integer) rs.getObject(6),
                            rs.getBoolean(7)))
                    .findOne())
                    .orElseThrow(() -> UserFacingException.notFound("No project " + projectId + "."));
        }

        public BuildLimits update(long projectId, BuildLimits limits) {
            limits.checked();
            jdbi.useHandle(handle -> handle.createUpdate("""
                            UPDATE projects SET max_concurrent_builds = :maxConcurrentBuilds,
                                   retry_interrupted = :retryInterrupted, timeout_clone = :timeoutCloneSeconds,
                                   timeout_install = :timeoutInstallSeconds, timeout_build = :timeoutBuildSeconds,
                                   timeout_upload = :timeoutUploadSeconds, dependency_cache = :dependencyCache
                            WHERE id = :id""")
                    .bindMethods(limits).bind("id", projectId).execute());
            return get(projectId);
        }
    }
}
