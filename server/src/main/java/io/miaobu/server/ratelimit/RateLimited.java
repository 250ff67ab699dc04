package io.miaobu.server.ratelimit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts a resource method (or every method of a resource class) under a named policy of {@link RateLimitPolicies},
 * keyed by client address, on top of the {@code global} limit. {@link RateLimitFilter} reads it; the method's
 * annotation wins over the class's. A name that is not a policy makes the request fail with a 500: a programming
 * error.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimited {

    /** The policy name, e.g. {@link RateLimitPolicies#LOGIN}. */
    String value();

    /**
     * Whether this policy stands instead of the {@code global} one: for machine-to-machine routes whose many callers
     * share a few addresses (GitHub's webhook deliveries for every project).
     */
    boolean replacesGlobal() default false;
}
