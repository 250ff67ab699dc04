package io.miaobu.server.ratelimit;

import io.miaobu.server.web.UserFacingException;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import java.lang.reflect.Method;

/**
 * Limits every request Jersey routes to a resource: first the {@code global} policy, then the route's
 * {@link RateLimited} policy (method, else class), both keyed by the client's address from {@link ClientAddress}.
 * It runs before authentication, so that refused requests cost no token check or password hash; limits per user are
 * left to the resources, through {@link RateLimiter#enforce}.
 *
 * @see RateLimiter#enforce for the {@link UserFacingException} (429, {@code Retry-After}) a refusal throws
 */
@Priority(Priorities.AUTHENTICATION - 100)
public final class RateLimitFilter implements ContainerRequestFilter {

    private final RateLimiter limiter;

    @Context
    private ResourceInfo resourceInfo;

    public RateLimitFilter(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (!limiter.enabled()) {
            return;
        }
        String address = ClientAddress.of(request);
        RateLimited route = declaredLimit();
        if (route == null || !route.replacesGlobal()) {
            limiter.enforce(RateLimitPolicies.GLOBAL, address);
        }
        if (route != null) {
            limiter.enforce(route.value(), address);
        }
    }

    private RateLimited declaredLimit() {
        Method method = resourceInfo == null ? null : resourceInfo.getResourceMethod();
        if (method == null) {
            return null;
        }
        RateLimited limit = method.getAnnotation(RateLimited.class);
        Class<?> resource = resourceInfo.getResourceClass();
        return limit != null || resource == null ? limit : resource.getAnnotation(RateLimited.class);
    }
}
