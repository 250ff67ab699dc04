package io.miaobu.server.ratelimit;

import io.miaobu.server.ratelimit.RateLimits.Decision;
import io.miaobu.server.web.UserFacingException;

/**
 * Applies the configured {@link RateLimitPolicies} to a bucket store. {@link RateLimitFilter} uses it for annotated
 * routes; other code calls it for limits no annotation can express, e.g. failed sign-ins per address, or deploys per
 * user once the user is known. Thread-safe.
 */
public final class RateLimiter {

    private final RateLimits limits;
    private final RateLimitPolicies policies;

    public RateLimiter(RateLimits limits, RateLimitPolicies policies) {
        this.limits = limits;
        this.policies = policies;
    }

    /**
     * Takes one request from {@code key}'s allowance under the named policy; always allowed when limiting is off.
     *
     * @throws IllegalArgumentException when there is no policy of that name
     */
    public Decision check(String policyName, String key) {
        if (!policies.enabled()) {
            return Decision.ALLOWED;
        }
        return limits.tryConsume(policies.policy(policyName), key);
    }

    /**
     * Whether {@link #check} would allow {@code key} now, taking nothing: for limits that count only failures, checked
     * before the attempt and charged after a failed one. Always allowed when limiting is off.
     *
     * @throws IllegalArgumentException when there is no policy of that name
     */
    public Decision peek(String policyName, String key) {
        if (!policies.enabled()) {
            return Decision.ALLOWED;
        }
        return limits.peek(policies.policy(policyName), key);
    }

    /**
     * Like {@link #check}, refusing with an exception instead of a decision.
     *
     * @throws UserFacingException 429 {@code rate_limited} with the {@code Retry-After} seconds when refused
     * @throws IllegalArgumentException when there is no policy of that name
     */
    public void enforce(String policyName, String key) {
        Decision decision = check(policyName, key);
        if (!decision.allowed()) {
            throw UserFacingException.tooManyRequests("Too many requests. Try again in "
                    + decision.retryAfterSeconds() + (decision.retryAfterSeconds() == 1 ? " second." : " seconds."),
                    decision.retryAfterSeconds());
        }
    }

    /** Whether limiting is on ({@code ratelimit.enabled}). */
    public boolean enabled() {
        return policies.enabled();
    }
}
