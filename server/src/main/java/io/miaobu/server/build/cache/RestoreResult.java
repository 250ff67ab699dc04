package io.miaobu.server.build.cache;

import java.time.Duration;

/**
 * What {@link DependencyCache#restore} did.
 *
 * @param outcome        whether the dependencies are now in the project directory
 * @param detail         why, in words for the build log
 * @param fromPrepared   on a hit: true when a prepared copy was moved into place, false when the entry was copied
 * @param files          files and symbolic links restored (0 unless a hit)
 * @param bytes          bytes of the files restored (0 unless a hit)
 * @param took           how long the restore took
 */
public record RestoreResult(Outcome outcome, String detail, boolean fromPrepared, long files, long bytes,
                            Duration took) {

    /** What happened. */
    public enum Outcome {
        /** The cached directories are in place; the install command only has to confirm them. */
        HIT,
        /** Nothing was restored; the install runs in full, and {@link DependencyCache#save} may store it after. */
        MISS,
        /** The project has no lockfile, so its install is not repeatable and is never cached. */
        NOT_CACHEABLE
    }

    public boolean hit() {
        return outcome == Outcome.HIT;
    }

    /** One line for the build log. */
    public String describe() {
        return switch (outcome) {
            case HIT -> "Dependency cache: restored " + Sizes.count(files) + " files (" + Sizes.bytes(bytes) + ") "
                    + (fromPrepared ? "from a prepared copy" : "by copying") + " in " + took.toMillis() + " ms.";
            case MISS, NOT_CACHEABLE -> "Dependency cache: " + detail;
        };
    }

    static RestoreResult miss(String detail, Duration took) {
        return new RestoreResult(Outcome.MISS, detail, false, 0, 0, took);
    }
}
