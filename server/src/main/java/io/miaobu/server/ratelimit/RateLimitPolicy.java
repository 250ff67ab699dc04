package io.miaobu.server.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * A named limit: at most {@code capacity} requests at once, refilled greedily at {@code capacity} per {@code period}
 * (so 10 per minute allows a burst of 10, then one every six seconds).
 *
 * @throws IllegalArgumentException from the constructor for a blank name, a capacity below 1 or a period that is not
 *                                  positive
 */
public record RateLimitPolicy(String name, long capacity, Duration period) {

    public RateLimitPolicy {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(period, "period");
        if (name.isBlank()) {
            throw new IllegalArgumentException("A rate limit policy needs a name");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("Rate limit '" + name + "' must allow at least 1 request, not "
                    + capacity);
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("Rate limit '" + name + "' needs a positive period, not " + period);
        }
    }
}
