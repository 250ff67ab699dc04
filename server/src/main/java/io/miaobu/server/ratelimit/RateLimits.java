package io.miaobu.server.ratelimit;

/**
 * Where the token buckets live: {@link LocalRateLimits} in this process; a clustered store can back the same policies
 * with shared buckets. Called by {@link RateLimiter} on request threads, concurrently; implementations are thread-safe
 * and never block on I/O for long.
 */
public interface RateLimits {

    /**
     * Takes one token from the bucket of {@code policy} for {@code key} (a client address, a user id), creating a full
     * bucket on first use.
     */
    Decision tryConsume(RateLimitPolicy policy, String key);

    /**
     * Whether {@link #tryConsume} would be allowed now, taking nothing; for limits that count only failures (check
     * first, consume on failure). A key never seen is allowed.
     */
    Decision peek(RateLimitPolicy policy, String key);

    /**
     * The outcome of one attempt.
     *
     * @param allowed           whether a token was taken
     * @param retryAfterSeconds when refused, whole seconds until a token is available (at least 1); 0 when allowed
     */
    record Decision(boolean allowed, long retryAfterSeconds) {

        public static final Decision ALLOWED = new Decision(true, 0);

        /** Refused; {@code nanosToWait} is rounded up to whole seconds, and to at least one. */
        public static Decision refused(long nanosToWait) {
            long seconds = nanosToWait / 1_000_000_000L + (nanosToWait % 1_000_000_000L > 0 ? 1 : 0);
            return new Decision(false, Math.max(1, seconds));
        }
    }
}
