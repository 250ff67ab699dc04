package io.miaobu.api.build;

import java.time.Duration;

/**
 * How a command ended.
 *
 * @param exitCode the exit code; meaningless when {@code timedOut}
 * @param timedOut whether it was killed for exceeding its timeout
 * @param duration how long it ran
 */
public record CommandResult(int exitCode, boolean timedOut, Duration duration) {

    /** Whether it exited by itself with code 0. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }
}
