package io.miaobu.server.auth;

import java.time.Duration;

/**
 * When an account locks after failed sign-ins, and for how long: after {@code threshold} failures in a row it locks
 * for {@code firstLock}; each further lock before a successful sign-in lasts twice as long, up to {@code longestLock}.
 */
public record LockoutPolicy(int threshold, Duration firstLock, Duration longestLock) {

    public LockoutPolicy {
        if (threshold < 1) {
            throw new IllegalArgumentException("the lockout threshold must be at least 1");
        }
        if (firstLock.isNegative() || firstLock.isZero() || longestLock.compareTo(firstLock) < 0) {
            throw new IllegalArgumentException("lock durations must be positive, the longest at least the first");
        }
    }

    /** How long the {@code lockNumber}th lock (1 for the first) lasts. */
    public Duration lockDuration(int lockNumber) {
        Duration duration = firstLock;
        for (int i = 1; i < lockNumber && duration.compareTo(longestLock) < 0; i++) {
            duration = duration.multipliedBy(2);
        }
        return duration.compareTo(longestLock) > 0 ? longestLock : duration;
    }
}
