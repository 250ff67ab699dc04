package io.miaobu.server.build.cache;

import java.time.Duration;

/**
 * What {@link DependencyCache#save} did.
 *
 * @param outcome whether a new entry was stored
 * @param detail  why, in words for the build log
 * @param files   files and symbolic links stored (0 unless saved)
 * @param bytes   bytes of the files stored (0 unless saved)
 * @param evicted entries removed afterwards to stay within the size cap
 * @param took    how long the save took
 */
public record SaveResult(Outcome outcome, String detail, long files, long bytes, int evicted, Duration took) {

    /** What happened. */
    public enum Outcome {
        SAVED,
        /** An entry for this key exists already (perhaps stored a moment ago by another build); it was kept. */
        ALREADY_CACHED,
        NOT_CACHEABLE,
        /** The install produced no {@code node_modules}. */
        NOTHING_TO_SAVE,
        /** The directories and their prepared copy would not fit in the size cap. */
        TOO_LARGE,
        /** Storing failed (disk full, ...); nothing half-written was left behind. */
        FAILED
    }

    /** One line for the build log. */
    public String describe() {
        if (outcome == Outcome.SAVED) {
            return "Dependency cache: saved " + Sizes.count(files) + " files (" + Sizes.bytes(bytes) + ") in "
                    + took.toMillis() + " ms" + (evicted > 0 ? "; removed " + evicted + " older entries." : ".");
        }
        return "Dependency cache: " + detail;
    }

    static SaveResult of(Outcome outcome, String detail, Duration took) {
        return new SaveResult(outcome, detail, 0, 0, 0, took);
    }
}
