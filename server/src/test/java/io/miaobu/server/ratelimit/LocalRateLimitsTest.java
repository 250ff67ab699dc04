package io.miaobu.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.miaobu.server.ratelimit.RateLimits.Decision;
import io.miaobu.server.web.UserFacingException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalRateLimitsTest {

    private static final RateLimitPolicy THREE_PER_MINUTE = new RateLimitPolicy("login", 3, Duration.ofMinutes(1));

    private final MutableClock clock = new MutableClock();
    private final LocalRateLimits limits = new LocalRateLimits(clock);

    @Test
    void allowsTheCapacityThenRefusesWithRetryAfter() {
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryConsume(THREE_PER_MINUTE, "203.0.113.7")).isEqualTo(Decision.ALLOWED);
        }

        Decision refused = limits.tryConsume(THREE_PER_MINUTE, "203.0.113.7");

        assertThat(refused.allowed()).isFalse();
        // greedy refill: one token every 20 seconds
        assertThat(refused.retryAfterSeconds()).isEqualTo(20);
    }

    @Test
    void retryAfterRoundsUpToWholeSeconds() {
        exhaust(THREE_PER_MINUTE, "a");
        clock.advance(Duration.ofMillis(500));

        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").retryAfterSeconds()).isEqualTo(20);

        clock.advance(Duration.ofMillis(19_000));
        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void refillsAsTheClockAdvances() {
        exhaust(THREE_PER_MINUTE, "a");

        clock.advance(Duration.ofSeconds(19));
        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").allowed()).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").allowed()).isTrue();
        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").allowed()).isFalse();

        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 3; i++) {
            assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").allowed()).as("never more than the capacity").isTrue();
        }
        assertThat(limits.tryConsume(THREE_PER_MINUTE, "a").allowed()).isFalse();
    }

    @Test
    void keysAndPoliciesHaveTheirOwnBuckets() {
        exhaust(THREE_PER_MINUTE, "a");

        assertThat(limits.tryConsume(THREE_PER_MINUTE, "b").allowed()).isTrue();
        assertThat(limits.tryConsume(new RateLimitPolicy("deploy", 3, Duration.ofMinutes(1)), "a").allowed())
                .isTrue();
    }

    @Test
    void peekTakesNothing() {
        assertThat(limits.peek(THREE_PER_MINUTE, "a")).isEqualTo(Decision.ALLOWED);
        assertThat(limits.size()).as("a peek creates no bucket").isZero();
        limits.tryConsume(THREE_PER_MINUTE, "a");
        limits.tryConsume(THREE_PER_MINUTE, "a");
        for (int i = 0; i < 5; i++) {
            assertThat(limits.peek(THREE_PER_MINUTE, "a").allowed()).isTrue();
        }
        limits.tryConsume(THREE_PER_MINUTE, "a");

        Decision peeked = limits.peek(THREE_PER_MINUTE, "a");

        assertThat(peeked.allowed()).isFalse();
        assertThat(peeked.retryAfterSeconds()).isEqualTo(20);
    }

    @Test
    void idleBucketsAreDroppedOnceTheyWouldBeFull() {
        limits.tryConsume(THREE_PER_MINUTE, "a");
        limits.tryConsume(new RateLimitPolicy("token-create", 10, Duration.ofHours(1)), "a");
        assertThat(limits.size()).isEqualTo(2);

        clock.advance(Duration.ofMinutes(2));
        limits.tryConsume(THREE_PER_MINUTE, "b");

        assertThat(limits.size()).as("the hourly bucket is kept, 'a''s minute bucket is gone").isEqualTo(2);
        exhaust(THREE_PER_MINUTE, "a");
        assertThat(limits.size()).isEqualTo(3);
    }

    @Test
    void staysWithinTheBoundUnderManyKeys() {
        LocalRateLimits small = new LocalRateLimits(clock, 100);
        for (int i = 0; i < 1_000; i++) {
            small.tryConsume(THREE_PER_MINUTE, "198.51.100." + i);
            assertThat(small.size()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void whenFullTheLeastRecentlyUsedGoFirst() {
        LocalRateLimits small = new LocalRateLimits(clock, 10);
        for (int i = 0; i < 3; i++) {
            small.tryConsume(THREE_PER_MINUTE, "busy");
        }
        for (int i = 0; i < 30; i++) {
            clock.advance(Duration.ofMillis(10));
            small.tryConsume(THREE_PER_MINUTE, "busy");
            small.tryConsume(THREE_PER_MINUTE, "new-" + i);
        }

        assertThat(small.tryConsume(THREE_PER_MINUTE, "busy").allowed()).as("still remembered, still empty")
                .isFalse();
    }

    @Test
    void theLimiterRefusesWith429AndRetryAfterAndCanBeTurnedOff() {
        var policies = RateLimitPolicies.fromConfig(Map.of("ratelimit.login", "1/1m"));
        var limiter = new RateLimiter(limits, policies);
        limiter.enforce("login", "a");

        assertThatThrownBy(() -> limiter.enforce("login", "a"))
                .isInstanceOfSatisfying(UserFacingException.class, e -> {
                    assertThat(e.status()).isEqualTo(429);
                    assertThat(e.code()).isEqualTo("rate_limited");
                    assertThat(e.retryAfterSeconds()).hasValue(60);
                    assertThat(e.getMessage()).contains("60 seconds");
                });

        var off = new RateLimiter(limits, RateLimitPolicies.fromConfig(Map.of("ratelimit.login", "1/1m",
                "ratelimit.enabled", "false")));
        for (int i = 0; i < 5; i++) {
            assertThat(off.check("login", "a").allowed()).isTrue();
        }
    }

    @Test
    void theLimiterPeeksWithoutTaking() {
        var limiter = new RateLimiter(limits, RateLimitPolicies.fromConfig(Map.of("sign-in-failures", "2/1h")));
        limiter.check("sign-in-failures", "a");
        assertThat(limiter.peek("sign-in-failures", "a").allowed()).isTrue();
        assertThat(limiter.peek("sign-in-failures", "a").allowed()).isTrue();
        limiter.check("sign-in-failures", "a");

        Decision peeked = limiter.peek("sign-in-failures", "a");

        assertThat(peeked.allowed()).isFalse();
        assertThat(peeked.retryAfterSeconds()).isEqualTo(1800);
        assertThatThrownBy(() -> limiter.peek("nope", "a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decisionsRoundNanosUp() {
        assertThat(Decision.refused(1).retryAfterSeconds()).isEqualTo(1);
        assertThat(Decision.refused(0).retryAfterSeconds()).isEqualTo(1);
        assertThat(Decision.refused(1_000_000_000L).retryAfterSeconds()).isEqualTo(1);
        assertThat(Decision.refused(1_000_000_001L).retryAfterSeconds()).isEqualTo(2);
    }

    /** Takes the whole capacity, checking that it was all there. */
    private void exhaust(RateLimitPolicy policy, String key) {
        for (long i = 0; i < policy.capacity(); i++) {
            assertThat(limits.tryConsume(policy, key).allowed()).as("request %d of %d", i + 1, policy.capacity())
                    .isTrue();
        }
        assertThat(limits.tryConsume(policy, key).allowed()).isFalse();
    }
}
